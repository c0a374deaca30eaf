package frame

import "unicode/utf16"

// An escape table says, for each byte value, how the escaper treats a byte
// when it starts a character: escSafe (copied as is), escNonASCII (the start
// of a multi-byte sequence, decoded to decide), or the letter written after
// the backslash, where 'u' means the \u00xx form. One table lookup per byte
// keeps the common all-ASCII message on a tight loop.
const (
	escSafe     = 0
	escNonASCII = 1
)

// hexDigits are lower case because the protocol test suite compares the
// escapes byte for byte with Node's lower-case output.
const hexDigits = "0123456789abcdef"

var (
	// jsonEscapes is the ASCII part of the SockJS escape set
	// (docs/protocol.md#escaping): the quote, the backslash and the C0 controls. Unlike
	// encoding/json it leaves < > & raw, as Node does.
	jsonEscapes = newEscapeTable("")

	// scriptEscapes also escapes < > &, for JSON that is embedded in a
	// script: "</script>" inside a message must not end an htmlfile script
	// block (docs/protocol.md#decisions), and markup characters have no business
	// in a JSONP response either.
	scriptEscapes = newEscapeTable("<>&")
)

// newEscapeTable builds an escape table for the SockJS escape set plus the
// ASCII bytes in extra, which get the \u00xx form.
func newEscapeTable(extra string) *[256]byte {
	var t [256]byte
	for b := 0; b < 0x20; b++ {
		t[b] = 'u'
	}
	t['\b'] = 'b'
	t['\t'] = 't'
	t['\n'] = 'n'
	t['\f'] = 'f'
	t['\r'] = 'r'
	t['"'] = '"'
	t['\\'] = '\\'
	for b := 0x80; b < 0x100; b++ {
		t[b] = escNonASCII
	}
	for i := 0; i < len(extra); i++ {
		t[extra[i]] = 'u'
	}
	return &t
}

// AppendString appends s to dst as a JSON string literal, quotes included,
// escaped exactly as the protocol requires (docs/protocol.md#escaping):
//
//   - `"` and `\` as \" and \\;
//   - U+0008, U+0009, U+000A, U+000C, U+000D as \b, \t, \n, \f, \r, and the
//     other characters below U+0020 as \u00xx;
//   - U+200C–U+200F, U+2028–U+202F, U+2060–U+206F and U+FFF0–U+FFFF as \uxxxx;
//   - characters above U+FFFF as a UTF-16 surrogate pair of escapes
//     (U+1F600 as \ud83d\ude00);
//   - each byte of invalid UTF-8 as \ufffd;
//   - everything else, including < > & and /, as raw UTF-8.
//
// Hexadecimal digits are lower case. The result is valid JSON and valid UTF-8
// whatever s holds. AppendString allocates only if dst lacks the capacity.
func AppendString(dst []byte, s string) []byte {
	return appendQuoted(dst, s, jsonEscapes)
}

// appendQuoted appends s as a JSON string literal escaped by table plus the
// non-ASCII rules of AppendString. Bytes that need no escape are copied a run
// at a time rather than one by one.
func appendQuoted[T text](dst []byte, s T, table *[256]byte) []byte {
	dst = append(dst, '"')
	start := 0 // first byte of the run not yet copied to dst
	for i := 0; i < len(s); {
		// Skip the run of safe ASCII bytes in a loop of its own: it is
		// where almost all the time goes.
		for i < len(s) && table[s[i]] == escSafe {
			i++
		}
		if i == len(s) {
			break
		}
		b := s[i]
		switch c := table[b]; c {
		case escNonASCII:
			if n := rawSequenceLen(s[i:]); n > 0 {
				i += n
				continue
			}
			r, size := decodeRune(s[i:])
			if !mustEscape(r) {
				i += size
				continue
			}
			dst = append(dst, s[start:i]...)
			// An invalid byte decodes as (utf8.RuneError, 1), and
			// RuneError is U+FFFD, which is in the escaped set.
			dst = appendRuneEscape(dst, r)
			i += size
			start = i
		case 'u':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			i++
			start = i
		default:
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', c)
			i++
			start = i
		}
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// rawSequenceLen returns the length of the UTF-8 sequence at the start of s
// if it is valid and certainly written raw, and 0 if it needs a full decode.
// It is a shortcut for the scripts most non-ASCII text is in: two-byte
// sequences (U+0080–U+07FF) and three-byte ones led by E1, E3–EC or EE
// (U+1000–U+1FFF, U+3000–U+CFFF, U+E000–U+EFFF) hold no escaped character
// and no overlong or surrogate form, so checking their continuation bytes is
// enough. E2 (U+2000–U+2FFF) and EF (U+F000–U+FFFF) hold escaped ranges.
func rawSequenceLen[T text](s T) int {
	switch b := s[0]; {
	case 0xC2 <= b && b <= 0xDF:
		if len(s) >= 2 && isContinuation(s[1]) {
			return 2
		}
	case b == 0xE1, 0xE3 <= b && b <= 0xEC, b == 0xEE:
		if len(s) >= 3 && isContinuation(s[1]) && isContinuation(s[2]) {
			return 3
		}
	}
	return 0
}

// mustEscape reports whether the non-ASCII character r is written as an
// escape. Node escapes these ranges because browsers and proxies drop or
// rewrite them (zero-width, bidi and format characters, the U+FFF0–U+FFFF
// specials) or because JavaScript treats them as line ends (U+2028, U+2029).
// Characters above U+FFFF are escaped because Node's table covers the
// surrogate halves that JavaScript stores them as.
func mustEscape(r rune) bool {
	switch {
	case r < 0x200C:
		return false
	case r <= 0x200F:
		return true
	case r < 0x2028:
		return false
	case r <= 0x202F:
		return true
	case r < 0x2060:
		return false
	case r <= 0x206F:
		return true
	default:
		return r >= 0xFFF0
	}
}

// appendRuneEscape appends r as \uxxxx, or as a surrogate pair of such
// escapes if r is above U+FFFF.
func appendRuneEscape(dst []byte, r rune) []byte {
	if r > 0xFFFF {
		hi, lo := utf16.EncodeRune(r)
		return appendU4(appendU4(dst, hi), lo)
	}
	return appendU4(dst, r)
}

// appendU4 appends the escape \uxxxx for the 16-bit value u.
func appendU4(dst []byte, u rune) []byte {
	return append(dst, '\\', 'u',
		hexDigits[u>>12&0xF], hexDigits[u>>8&0xF], hexDigits[u>>4&0xF], hexDigits[u&0xF])
}

// QuotedLen returns len(AppendString(nil, s)) without encoding s: what a
// message will cost in a frame, which the session's byte budgets count
// before the message is encoded. It walks s the way AppendString does, so it
// counts every escape, including the six bytes \ufffd of each invalid byte.
func QuotedLen(s string) int {
	n := len(s) + 2 // the quotes and every byte written as is
	for i := 0; i < len(s); {
		for i < len(s) && jsonEscapes[s[i]] == escSafe {
			i++
		}
		if i == len(s) {
			break
		}
		switch c := jsonEscapes[s[i]]; c {
		case escNonASCII:
			if size := rawSequenceLen(s[i:]); size > 0 {
				i += size
				continue
			}
			r, size := decodeRune(s[i:])
			if mustEscape(r) {
				n += escapeLen(r) - size
			}
			i += size
		case 'u':
			n += len(`\u00xx`) - 1
			i++
		default:
			n += len(`\x`) - 1
			i++
		}
	}
	return n
}

// escapeLen is the length of appendRuneEscape's output for r.
func escapeLen(r rune) int {
	if r > 0xFFFF {
		return 2 * len(`\uxxxx`)
	}
	return len(`\uxxxx`)
}
