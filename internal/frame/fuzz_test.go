package frame_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gosockjs/sockjs/internal/frame"
)

// jsonOracle says what a decoder must return for p, according to
// encoding/json: ErrBrokenJSON if p is not valid JSON, the messages if it is
// an array of strings (or, with bareString, a string), and ErrPayloadExpected
// for any other valid JSON.
func jsonOracle(p []byte, bareString bool) ([]string, error) {
	if !json.Valid(p) {
		return nil, frame.ErrBrokenJSON
	}
	var v any
	if err := json.Unmarshal(p, &v); err != nil {
		// Valid JSON that does not fit in an any: a number beyond
		// float64, which is not an array of strings either.
		return nil, frame.ErrPayloadExpected
	}
	switch v := v.(type) {
	case string:
		if bareString {
			return []string{v}, nil
		}
	case []any:
		var msgs []string
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil, frame.ErrPayloadExpected
			}
			msgs = append(msgs, s)
		}
		return msgs, nil
	}
	return nil, frame.ErrPayloadExpected
}

// compareWithOracle fails if a decoder's answer differs from want.
func compareWithOracle(t *testing.T, p []byte, got []string, err error, want []string, wantErr error) {
	t.Helper()
	if !errors.Is(err, wantErr) || (err == nil) != (wantErr == nil) {
		t.Fatalf("%q: error = %v, want %v", p, err, wantErr)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("%q: messages = %q, want %q", p, got, want)
	}
}

// addDecodeSeeds gives both decoder fuzzers the table cases and a few
// payloads shaped like real client traffic.
func addDecodeSeeds(f *testing.F) {
	for _, c := range arrayCases {
		f.Add([]byte(c.in))
	}
	for _, s := range []string{
		``, ` `, `"abc"`, `"a\u0041"`, `["a`, `[]`, `[[],[]]`, `{"a":["b"]}`, `-0.5e+3`,
		`["\u2028\ud83d\ude00\\u"]`, `["x","y","z"]`, "[\"\xf0\x9f\x98\"]",
	} {
		f.Add([]byte(s))
	}
}

func FuzzDecodeMessages(f *testing.F) {
	addDecodeSeeds(f)
	f.Fuzz(func(t *testing.T, p []byte) {
		got, err := frame.DecodeMessages(p, 0)
		want, wantErr := jsonOracle(p, false)
		if len(bytes.Trim(p, " \t\r\n")) == 0 {
			// An empty body is "Payload expected." (Node checks
			// for it before parsing), not a JSON syntax error.
			want, wantErr = nil, frame.ErrPayloadExpected
		}
		compareWithOracle(t, p, got, err, want, wantErr)
	})
}

func FuzzDecodeWebsocketMessage(f *testing.F) {
	addDecodeSeeds(f)
	f.Fuzz(func(t *testing.T, p []byte) {
		got, err := frame.DecodeWebsocketMessage(nil, p, 0)
		want, wantErr := jsonOracle(p, true)
		if len(p) == 0 {
			want, wantErr = nil, nil // an empty message is ignored
		}
		compareWithOracle(t, p, got, err, want, wantErr)
	})
}

// scriptEscaper turns AppendString output into what the script wrappers
// write: the same, with < > & escaped too.
var scriptEscaper = strings.NewReplacer("<", `\u003c`, ">", `\u003e`, "&", `\u0026`)

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{
		"", "hello", `"\`, "\x00\x1f\b\t\n\f\r\x7f", "<script>&</script>", "%41",
		"\u200c\u200f\u2028\u202f\u2060\u206f\ufff0\ufffd\uffff", "😀\U00010000\U0010ffff",
		"\xff", "a\xe2\x80", "\xed\xa0\x80", "\xc0\xaf", "\xf4\x90\x80\x80", "héllo 日本語",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		enc := frame.AppendString(nil, s)

		// The exact bytes, against the rune-by-rune reference.
		equal(t, "AppendString", string(enc), refQuote(s))

		// Valid JSON that decodes back to the input made valid.
		var back string
		if err := json.Unmarshal(enc, &back); err != nil {
			t.Fatalf("%q encodes to %q, which encoding/json rejects: %v", s, enc, err)
		}
		equal(t, "decoded", back, validUTF8(s))

		// Nothing that must be escaped is left raw.
		if !utf8.Valid(enc) {
			t.Fatalf("%q encodes to invalid UTF-8 %q", s, enc)
		}
		for _, r := range string(enc[1 : len(enc)-1]) {
			if r < 0x20 || r > 0xFFFF || inSpecEscapeRanges(r) {
				t.Fatalf("%q encodes to %q, which holds raw U+%04X", s, enc, r)
			}
		}

		// Our own decoder agrees.
		msgs, err := frame.DecodeMessages(frame.AppendMessages(nil, texts(s))[1:], 0)
		if err != nil || len(msgs) != 1 || msgs[0] != validUTF8(s) {
			t.Fatalf("DecodeMessages round trip of %q: %q, %v", s, msgs, err)
		}

		// The script wrappers' escaper, which reads a []byte, gives the
		// same text with < > & escaped on top.
		jsonp := string(frame.AppendJSONP(nil, "cb", []byte(s)))
		arg := strings.TrimSuffix(strings.TrimPrefix(jsonp, "/**/cb("), ");\r\n")
		want := scriptEscaper.Replace(refQuote(s))
		equal(t, "AppendJSONP argument", arg, want)
	})
}
