package frame

// maxCallbackLen is the longest callback name accepted. Node enforces it for
// JSONP since 0.3.10; the client's names ("_jp.a1b2c3d") are far shorter.
const maxCallbackLen = 32

// ValidCallback reports whether name is acceptable as a JSONP or htmlfile
// callback: 1 to 32 bytes, each an ASCII letter, digit, '_' or '.'.
//
// The callback is written unquoted into a script, so this is what keeps a
// request from injecting code. Node also allows '-'; this package does not,
// because the client never uses it and in a script it is an operator.
func ValidCallback(name string) bool {
	if len(name) == 0 || len(name) > maxCallbackLen {
		return false
	}
	for i := 0; i < len(name); i++ {
		switch b := name[i]; {
		case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9', b == '_', b == '.':
		default:
			return false
		}
	}
	return true
}
