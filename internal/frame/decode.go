package frame

import (
	"bytes"
	"encoding/json"
	"slices"
	"unicode/utf16"
	"unicode/utf8"
)

// elementSeparator is what separates the elements of a client's array.
var elementSeparator = []byte(`","`)

// DecodeMessages decodes a client payload of the HTTP send transports
// (xhr_send, jsonp_send; docs/protocol.md#client-payloads) and returns its
// messages in order. The payload must be a JSON array of strings, optionally surrounded
// by JSON whitespace; [] yields no messages and no error.
//
// max bounds the number of messages (0: no bound). A payload with more
// elements fails with ErrTooManyMessages as soon as the decoder reaches
// element max+1, so that a body of a million empty strings costs no more
// than the bound.
//
// It returns ErrPayloadExpected for an empty or whitespace-only payload and
// for valid JSON that is not an array of strings (null, an object, a bare
// string, an array holding a number), and ErrBrokenJSON for anything that is
// not valid JSON, trailing data included.
//
// Strings decode as encoding/json decodes them: every \uxxxx escape is
// understood, surrogate pairs combine, and an unpaired surrogate escape or a
// byte of invalid UTF-8 becomes U+FFFD.
func DecodeMessages(p []byte, max int) ([]string, error) {
	i := skipSpace(p, 0)
	if i == len(p) {
		// Node answers an empty body with "Payload expected." before
		// trying to parse it.
		return nil, ErrPayloadExpected
	}
	return decodePayload(nil, p, i, false, max)
}

// DecodeWebsocketMessage decodes one text message received on a SockJS
// websocket (docs/protocol.md#websocket) and appends its messages to dst, which a
// connection's reader reuses from message to message. It differs from
// DecodeMessages in two ways, both following Node: an empty message adds
// nothing and is to be ignored, and a bare JSON string is accepted as a
// single message. A message of whitespace only is not empty: it is broken
// JSON. max bounds the number of messages as in DecodeMessages.
func DecodeWebsocketMessage(dst []string, p []byte, max int) ([]string, error) {
	if len(p) == 0 {
		return dst, nil
	}
	return decodePayload(dst, p, skipSpace(p, 0), true, max)
}

// decodePayload decodes the value that starts at p[i], which is preceded by
// whitespace only, and appends its messages to dst. It handles the shapes a
// client sends (an array of strings and, if bareString, a single string)
// itself and leaves every other case to notMessages.
func decodePayload(dst []string, p []byte, i int, bareString bool, max int) ([]string, error) {
	if i < len(p) && p[i] == '[' {
		return decodeArray(dst, p, i+1, max)
	}
	if bareString && i < len(p) && p[i] == '"' {
		s, j, ok := decodeString(p, i+1)
		if !ok {
			return nil, ErrBrokenJSON
		}
		if err := endOfPayload(p, j); err != nil {
			return nil, err
		}
		return append(dst, s), nil
	}
	return nil, notMessages(p)
}

// decodeArray decodes an array of strings whose '[' ends just before p[i]
// and appends them to dst. It reports broken JSON itself only where the
// grammar is unambiguous (after a string only ',' or ']' may follow); a
// non-string element is handed to notMessages, which tells a valid [1] from
// an invalid [,].
func decodeArray(dst []string, p []byte, i int, max int) ([]string, error) {
	if max <= 0 {
		max = len(p) // no bound: an element takes at least two bytes
	}
	limit := len(dst) + max
	i = skipSpace(p, i)
	if i < len(p) && p[i] == ']' {
		return dst, endOfPayload(p, i+1)
	}
	msgs, sized := dst, false
	for {
		if i == len(p) || p[i] != '"' {
			return nil, notMessages(p)
		}
		s, j, ok := decodeString(p, i+1)
		if !ok {
			return nil, ErrBrokenJSON
		}
		if !sized {
			// Size the result once. Clients send JSON.stringify output,
			// where elements are separated by exactly `","`; for other
			// spacing this is only an estimate and append grows as usual.
			// The count starts at the first string's closing quote.
			msgs, sized = slices.Grow(msgs, min(max, 1+bytes.Count(p[j-1:], elementSeparator))), true
		}
		if len(msgs) == limit {
			return nil, ErrTooManyMessages
		}
		msgs = append(msgs, s)
		i = skipSpace(p, j)
		if i == len(p) {
			return nil, ErrBrokenJSON
		}
		switch p[i] {
		case ',':
			i = skipSpace(p, i+1)
		case ']':
			if err := endOfPayload(p, i+1); err != nil {
				return nil, err
			}
			return msgs, nil
		default:
			return nil, ErrBrokenJSON
		}
	}
}

// endOfPayload checks that only whitespace follows the value ending before
// p[i]: like Node's JSON.parse, and unlike a streaming json.Decoder, trailing
// data makes the whole payload broken.
func endOfPayload(p []byte, i int) error {
	if skipSpace(p, i) != len(p) {
		return ErrBrokenJSON
	}
	return nil
}

// notMessages classifies a payload that is not an array of strings. This is
// the cold path (real clients never get here), so it borrows the standard
// library's validator instead of a hand-written parser for numbers, objects
// and literals.
func notMessages(p []byte) error {
	if json.Valid(p) {
		return ErrPayloadExpected
	}
	return ErrBrokenJSON
}

// skipSpace returns the index of the first byte at or after i that is not
// JSON whitespace.
func skipSpace(p []byte, i int) int {
	for i < len(p) {
		switch p[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// decodeString decodes the JSON string whose opening quote ends just before
// p[i]. It returns the string, the index just past the closing quote, and
// whether the string was well formed.
//
// Most messages have no escapes and are valid UTF-8; for them the string is
// the input bytes, converted with a single allocation.
func decodeString(p []byte, i int) (string, int, bool) {
	start := i
	for i < len(p) {
		switch b := p[i]; {
		case b == '"':
			return string(p[start:i]), i + 1, true
		case b == '\\' || b < 0x20:
			return unquote(p, start, i)
		case b < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRune(p[i:])
			if r == utf8.RuneError && size == 1 {
				return unquote(p, start, i)
			}
			i += size
		}
	}
	return "", 0, false
}

// unquote is the slow path of decodeString for a string that needs
// rewriting: p[start:i] has been checked and is copied as is, and decoding
// resumes at p[i]. The rules are those of encoding/json, so that both give
// the same strings for any input.
func unquote(p []byte, start, i int) (string, int, bool) {
	// Short messages are rebuilt on the stack; string(buf) then makes the
	// only heap copy.
	var scratch [128]byte
	buf := append(scratch[:0], p[start:i]...)
	for i < len(p) {
		b := p[i]
		switch {
		case b == '"':
			return string(buf), i + 1, true
		case b < 0x20:
			// JSON forbids raw control characters in strings.
			return "", 0, false
		case b == '\\':
			if i+1 == len(p) {
				return "", 0, false
			}
			switch p[i+1] {
			case '"', '\\', '/':
				buf = append(buf, p[i+1])
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r, ok := hex4(p, i+2)
				if !ok {
					return "", 0, false
				}
				i += 6
				if utf16.IsSurrogate(r) {
					// A high surrogate combines with an immediately
					// following low one; any other surrogate is
					// unpaired and, as in encoding/json, becomes
					// U+FFFD while the next escape is read on its own.
					r2, ok := hex4(p, i+2)
					if ok && p[i] == '\\' && p[i+1] == 'u' {
						if pair := utf16.DecodeRune(r, r2); pair != utf8.RuneError {
							r = pair
							i += 6
						} else {
							r = utf8.RuneError
						}
					} else {
						r = utf8.RuneError
					}
				}
				buf = utf8.AppendRune(buf, r)
				continue
			default:
				return "", 0, false
			}
			i += 2
		case b < utf8.RuneSelf:
			buf = append(buf, b)
			i++
		default:
			// An invalid byte decodes as (RuneError, 1) and is written
			// as U+FFFD; a valid sequence is copied unchanged.
			r, size := utf8.DecodeRune(p[i:])
			buf = utf8.AppendRune(buf, r)
			i += size
		}
	}
	return "", 0, false
}

// hex4 decodes the four hexadecimal digits at p[i:i+4], in either case.
func hex4(p []byte, i int) (rune, bool) {
	if i+4 > len(p) {
		return 0, false
	}
	var r rune
	for _, c := range p[i : i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
