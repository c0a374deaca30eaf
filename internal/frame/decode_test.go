package frame_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/gosockjs/sockjs/internal/frame"
)

// decodeCase is one payload and the decoder's expected answer.
type decodeCase struct {
	name string   // what the case is about
	in   string   // the payload
	want []string // messages, when err is nil
	err  error    // the error wanted, nil for success
}

// checkDecode runs decode on each case and compares messages and error.
func checkDecode(t *testing.T, decode func([]byte) ([]string, error), tests []decodeCase) {
	t.Helper()
	for _, tt := range tests {
		got, err := decode([]byte(tt.in))
		if !errors.Is(err, tt.err) {
			t.Errorf("%s: %q: error = %v, want %v", tt.name, tt.in, err, tt.err)
			continue
		}
		if err == nil && !slices.Equal(got, tt.want) {
			t.Errorf("%s: %q: messages = %q, want %q", tt.name, tt.in, got, tt.want)
		}
		if err != nil && got != nil {
			t.Errorf("%s: %q: messages %q returned with error", tt.name, tt.in, got)
		}
	}
}

// arrayCases apply to both decoders: arrays are what every client sends.
var arrayCases = []decodeCase{
	{"one", `["a"]`, []string{"a"}, nil},
	{"two", `["a","b"]`, []string{"a", "b"}, nil},
	{"whitespace", " \t\r\n[ \"a\" ,\n\"b\" ] \r\n", []string{"a", "b"}, nil},
	{"empty array", `[]`, nil, nil},
	{"empty array with space", ` [ ] `, nil, nil},
	{"empty string", `[""]`, []string{""}, nil},
	{"percent kept", `["%61bc"]`, []string{"%61bc"}, nil},
	{"raw UTF-8", `["héllo 日本 😀"]`, []string{"héllo 日本 😀"}, nil},
	{"short escapes", `["\"\\\/\b\f\n\r\t"]`, []string{"\"\\/\b\f\n\r\t"}, nil},
	{"unicode escape", `["\u00e9\u00C9"]`, []string{"éÉ"}, nil},
	{"NUL escape", `["\u0000"]`, []string{"\x00"}, nil},
	{"surrogate pair", `["\ud83d\ude00"]`, []string{"😀"}, nil},
	{"upper-case surrogate pair", `["\uD83D\uDE00"]`, []string{"😀"}, nil},
	{"lone high surrogate", `["\ud83d"]`, []string{"\ufffd"}, nil},
	{"lone low surrogate", `["\ude00x"]`, []string{"\ufffdx"}, nil},
	{"high surrogate then letter", `["\ud83d\u0041"]`, []string{"\ufffdA"}, nil},
	{"two highs then low", `["\ud83d\ud83d\ude00"]`, []string{"\ufffd😀"}, nil},
	{"high surrogate then short escape", `["\ud83d\n"]`, []string{"\ufffd\n"}, nil},
	{"invalid UTF-8", "[\"a\xffb\"]", []string{"a\ufffdb"}, nil},
	{"invalid UTF-8 after escape", "[\"\\n\xc3\"]", []string{"\n\ufffd"}, nil},
	{"encoded surrogate", "[\"\xed\xa0\x80\"]", []string{"\ufffd\ufffd\ufffd"}, nil},
	{"DEL raw", "[\"\x7f\"]", []string{"\x7f"}, nil},

	{"unterminated string", `["a`, nil, frame.ErrBrokenJSON},
	{"unterminated array", `["a"`, nil, frame.ErrBrokenJSON},
	{"unterminated after comma", `["a",`, nil, frame.ErrBrokenJSON},
	{"open bracket", `[`, nil, frame.ErrBrokenJSON},
	{"trailing garbage", `["a"]x`, nil, frame.ErrBrokenJSON},
	{"trailing bracket", `["a"]]`, nil, frame.ErrBrokenJSON},
	{"two arrays", `[] []`, nil, frame.ErrBrokenJSON},
	{"trailing comma", `["a",]`, nil, frame.ErrBrokenJSON},
	{"leading comma", `[,"a"]`, nil, frame.ErrBrokenJSON},
	{"missing comma", `["a" "b"]`, nil, frame.ErrBrokenJSON},
	{"colon", `["a":"b"]`, nil, frame.ErrBrokenJSON},
	{"raw control", "[\"a\x01\"]", nil, frame.ErrBrokenJSON},
	{"raw newline", "[\"a\nb\"]", nil, frame.ErrBrokenJSON},
	{"bad escape", `["\q"]`, nil, frame.ErrBrokenJSON},
	{"single-quote escape", `["\'"]`, nil, frame.ErrBrokenJSON},
	{"short unicode escape", `["\u12"]`, nil, frame.ErrBrokenJSON},
	{"bad hex", `["\u12g4"]`, nil, frame.ErrBrokenJSON},
	{"surrogate then bad escape", `["\ud83d\uzzzz"]`, nil, frame.ErrBrokenJSON},
	{"backslash at end", `["\`, nil, frame.ErrBrokenJSON},
	{"single quotes", `['a']`, nil, frame.ErrBrokenJSON},
	{"bad literal in array", `[tru]`, nil, frame.ErrBrokenJSON},
	{"bad nested", `["a",{"b":[1,2}]`, nil, frame.ErrBrokenJSON},
	{"invalid byte outside string", "[\xff]", nil, frame.ErrBrokenJSON},
	{"non-JSON space", "[\"a\"]\v", nil, frame.ErrBrokenJSON},

	{"number element", `[1]`, nil, frame.ErrPayloadExpected},
	{"string then number", `["a",1]`, nil, frame.ErrPayloadExpected},
	{"null element", `["a",null]`, nil, frame.ErrPayloadExpected},
	{"nested array", `[["a"]]`, nil, frame.ErrPayloadExpected},
	{"object element", `[{"a":"b"}]`, nil, frame.ErrPayloadExpected},
	{"null", `null`, nil, frame.ErrPayloadExpected},
	{"true", ` true `, nil, frame.ErrPayloadExpected},
	{"object", `{}`, nil, frame.ErrPayloadExpected},
	{"object of array", `{"a":[1,2]}`, nil, frame.ErrPayloadExpected},
	{"number", `42`, nil, frame.ErrPayloadExpected},
	{"huge number", `1e999`, nil, frame.ErrPayloadExpected},

	{"bad literal", `tru`, nil, frame.ErrBrokenJSON},
	{"bad object", `{"a"}`, nil, frame.ErrBrokenJSON},
	{"text", `hello`, nil, frame.ErrBrokenJSON},
}

func TestDecodeMessages(t *testing.T) {
	t.Parallel()
	checkDecode(t, decodeHTTP, arrayCases)
	checkDecode(t, decodeHTTP, []decodeCase{
		{"empty", ``, nil, frame.ErrPayloadExpected},
		{"whitespace only", " \r\n\t", nil, frame.ErrPayloadExpected},
		{"bare string", `"abc"`, nil, frame.ErrPayloadExpected},
		{"bare empty string", `""`, nil, frame.ErrPayloadExpected},
		{"bad bare string", `"abc`, nil, frame.ErrBrokenJSON},
	})
}

// decodeHTTP decodes a send request's payload without a bound.
func decodeHTTP(p []byte) ([]string, error) { return frame.DecodeMessages(p, 0) }

// decodeWS decodes a websocket message into a fresh slice.
func decodeWS(p []byte) ([]string, error) { return frame.DecodeWebsocketMessage(nil, p, 0) }

func TestDecodeWebsocketMessage(t *testing.T) {
	t.Parallel()
	checkDecode(t, decodeWS, arrayCases)
	checkDecode(t, decodeWS, []decodeCase{
		{"empty message is ignored", ``, nil, nil},
		{"whitespace only", " ", nil, frame.ErrBrokenJSON},
		{"bare string", `"abc"`, []string{"abc"}, nil},
		{"bare string with space", ` "abc" `, []string{"abc"}, nil},
		{"bare empty string", `""`, []string{""}, nil},
		{"bare string with escapes", `"a\u0041\n\ud83d\ude00"`, []string{"aA\n😀"}, nil},
		{"unterminated bare string", `"abc`, nil, frame.ErrBrokenJSON},
		{"bare string then garbage", `"abc" x`, nil, frame.ErrBrokenJSON},
		{"two bare strings", `"a" "b"`, nil, frame.ErrBrokenJSON},
		{"suite broken framing", `["a`, nil, frame.ErrBrokenJSON},
	})
}

func TestDecodeEmptyMessageIsNil(t *testing.T) {
	t.Parallel()
	msgs, err := frame.DecodeWebsocketMessage(nil, nil, 0)
	if msgs != nil || err != nil {
		t.Errorf("DecodeWebsocketMessage(nil, nil) = %q, %v; want nil, nil", msgs, err)
	}
}

// A reader reuses one slice for every message: decoding appends to it and
// allocates nothing for the slice once it is large enough.
func TestDecodeWebsocketMessageAppends(t *testing.T) {
	dst := make([]string, 1, 4)
	dst[0] = "kept"
	got, err := frame.DecodeWebsocketMessage(dst, []byte(`["a","b"]`), 0)
	if err != nil || len(got) != 3 || got[0] != "kept" || got[1] != "a" || got[2] != "b" {
		t.Fatalf("got %q, %v; want [kept a b]", got, err)
	}
	if &got[0] != &dst[0] {
		t.Errorf("a slice with room was reallocated")
	}
	buf := make([]string, 0, 4)
	p := []byte(`["hello"]`)
	if n := testing.AllocsPerRun(100, func() { _, _ = frame.DecodeWebsocketMessage(buf[:0], p, 0) }); n != 1 {
		t.Errorf("%v allocations per message, want 1 (the string)", n)
	}
}

func TestDecodeErrorTexts(t *testing.T) {
	t.Parallel()
	equal(t, "broken", frame.ErrBrokenJSON.Error(), "Broken JSON encoding.")
	equal(t, "payload", frame.ErrPayloadExpected.Error(), "Payload expected.")
}

// TestDecodeMessagesClientEscapes is JSONEncoding.test_xhr_server_decodes: the
// client escapes a long list of characters as \uxxxx (astral ones as
// surrogate pairs); all of them must decode to the characters themselves.
func TestDecodeMessagesClientEscapes(t *testing.T) {
	t.Parallel()
	ranges := [][2]rune{
		{0x0000, 0x001F}, {'"', '"'}, {'\\', '\\'}, {0x007F, 0x009F}, {0x00AD, 0x00AD},
		{0x0300, 0x036F}, {0x0600, 0x0604}, {0x070F, 0x070F}, {0x17B4, 0x17B5},
		{0x2000, 0x20FF}, {0xFEFF, 0xFEFF}, {0xFFF0, 0xFFFF}, {0x1F600, 0x1F64F}, {0x10FFFF, 0x10FFFF},
	}
	for _, format := range []string{`\u%04x`, `\u%04X`} {
		var want, payload strings.Builder
		payload.WriteString(`["`)
		for _, rg := range ranges {
			for r := rg[0]; r <= rg[1]; r++ {
				want.WriteRune(r)
				if r > 0xFFFF {
					hi, lo := utf16.EncodeRune(r)
					fmt.Fprintf(&payload, format+format, hi, lo)
				} else {
					fmt.Fprintf(&payload, format, r)
				}
			}
		}
		payload.WriteString(`"]`)
		got, err := frame.DecodeMessages([]byte(payload.String()), 0)
		if err != nil || len(got) != 1 {
			t.Fatalf("%s: got %q, %v", format, got, err)
		}
		equal(t, format, got[0], want.String())
	}
}

// TestDecodeMessagesLongStrings crosses the decoder's stack buffer size with
// escaped and unescaped strings.
func TestDecodeMessagesLongStrings(t *testing.T) {
	t.Parallel()
	for _, n := range []int{127, 128, 129, 1000} {
		plain := strings.Repeat("é", n)
		escaped := strings.Repeat(`\n`, n)
		got, err := frame.DecodeMessages([]byte(`["`+plain+`","`+escaped+`"]`), 0)
		if err != nil || len(got) != 2 {
			t.Fatalf("n=%d: got %q, %v", n, got, err)
		}
		equal(t, "plain", got[0], plain)
		equal(t, "escaped", got[1], strings.Repeat("\n", n))
	}
}
