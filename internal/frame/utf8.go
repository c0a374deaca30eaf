package frame

import "unicode/utf8"

// text is the byte sequences the escaper reads. It is generic so that a frame
// held in a []byte and a message held in a string share one escaping loop
// without converting (and so copying) either.
type text interface {
	~string | ~[]byte
}

// decodeRune decodes the UTF-8 sequence at the start of s. It gives exactly
// the answers of utf8.DecodeRune and utf8.DecodeRuneInString, including
// (utf8.RuneError, 1) for every byte of an invalid or truncated sequence, so
// that invalid input becomes one U+FFFD per bad byte as in encoding/json.
// It exists because the standard library has no version that accepts both
// strings and byte slices.
func decodeRune[T text](s T) (rune, int) {
	n := len(s)
	if n == 0 {
		return utf8.RuneError, 0
	}
	b0 := s[0]
	switch {
	case b0 < 0x80:
		return rune(b0), 1
	case b0 < 0xC2:
		// A continuation byte, or an overlong lead byte (C0, C1).
		return utf8.RuneError, 1
	case b0 < 0xE0:
		if n < 2 || !isContinuation(s[1]) {
			return utf8.RuneError, 1
		}
		return rune(b0&0x1F)<<6 | rune(s[1]&0x3F), 2
	case b0 < 0xF0:
		// The second byte's range rules out overlong forms (E0) and the
		// UTF-16 surrogates U+D800-U+DFFF (ED), which UTF-8 must not carry.
		lo, hi := byte(0x80), byte(0xBF)
		switch b0 {
		case 0xE0:
			lo = 0xA0
		case 0xED:
			hi = 0x9F
		}
		if n < 3 || s[1] < lo || s[1] > hi || !isContinuation(s[2]) {
			return utf8.RuneError, 1
		}
		return rune(b0&0x0F)<<12 | rune(s[1]&0x3F)<<6 | rune(s[2]&0x3F), 3
	case b0 < 0xF5:
		// F0 would be overlong below 90; F4 would pass U+10FFFF above 8F.
		lo, hi := byte(0x80), byte(0xBF)
		switch b0 {
		case 0xF0:
			lo = 0x90
		case 0xF4:
			hi = 0x8F
		}
		if n < 4 || s[1] < lo || s[1] > hi || !isContinuation(s[2]) || !isContinuation(s[3]) {
			return utf8.RuneError, 1
		}
		return rune(b0&0x07)<<18 | rune(s[1]&0x3F)<<12 | rune(s[2]&0x3F)<<6 | rune(s[3]&0x3F), 4
	default:
		return utf8.RuneError, 1
	}
}

// isContinuation reports whether b is a UTF-8 continuation byte (10xxxxxx).
func isContinuation(b byte) bool {
	return b&0xC0 == 0x80
}
