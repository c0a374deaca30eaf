package frame_test

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gosockjs/sockjs/internal/frame"
)

func TestAppendStringEscapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", `""`},
		{"plain", "hello", `"hello"`},
		{"quote", `a"b`, `"a\"b"`},
		{"backslash", `a\b`, `"a\\b"`},
		{"short escapes", "\b\t\n\f\r", `"\b\t\n\f\r"`},
		{"NUL", "\x00", `"\u0000"`},
		{"vertical tab", "\v", `"\u000b"`},
		{"unit separator", "\x1f", `"\u001f"`},
		{"escape", "\x1b[0m", `"\u001b[0m"`},
		{"space is raw", " ", `" "`},
		{"DEL is raw", "\x7f", "\"\x7f\""},
		{"slash is raw", "</a>", `"</a>"`},
		{"html is raw", "<>&'", `"<>&'"`},
		{"C1 controls are raw", "\u0080\u009f", "\"\u0080\u009f\""},
		{"soft hyphen is raw", "\u00ad", "\"\u00ad\""},
		{"latin is raw", "héllo wörld", `"héllo wörld"`},
		{"CJK is raw", "日本語", `"日本語"`},
		{"BOM is raw", "\ufeff", "\"\ufeff\""},
		{"U+200B is raw", "\u200b", "\"\u200b\""},
		{"U+200C", "\u200c", `"\u200c"`},
		{"U+200F", "\u200f", `"\u200f"`},
		{"U+2010 is raw", "\u2010", "\"\u2010\""},
		{"U+2027 is raw", "\u2027", "\"\u2027\""},
		{"line separator", "\u2028", `"\u2028"`},
		{"paragraph separator", "\u2029", `"\u2029"`},
		{"U+202F", "\u202f", `"\u202f"`},
		{"U+2030 is raw", "\u2030", "\"\u2030\""},
		{"U+205F is raw", "\u205f", "\"\u205f\""},
		{"U+2060", "\u2060", `"\u2060"`},
		{"U+206F", "\u206f", `"\u206f"`},
		{"U+2070 is raw", "\u2070", "\"\u2070\""},
		{"U+FFEF is raw", "\uffef", "\"\uffef\""},
		{"U+FFF0", "\ufff0", `"\ufff0"`},
		{"replacement character", "\ufffd", `"\ufffd"`},
		{"U+FFFF", "\uffff", `"\uffff"`},
		{"emoji", "😀", `"\ud83d\ude00"`},
		{"U+10000", "\U00010000", `"\ud800\udc00"`},
		{"U+10FFFF", "\U0010ffff", `"\udbff\udfff"`},
		{"invalid byte", "\xff", `"\ufffd"`},
		{"truncated sequence", "a\xe2\x80", `"a\ufffd\ufffd"`},
		{"lone continuation", "\x80b", `"\ufffdb"`},
		{"overlong slash", "\xc0\xaf", `"\ufffd\ufffd"`},
		{"UTF-8 encoded surrogate", "\xed\xa0\x80", `"\ufffd\ufffd\ufffd"`},
		{"above U+10FFFF", "\xf4\x90\x80\x80", `"\ufffd\ufffd\ufffd\ufffd"`},
		{"mixed", "a\"\u2028😀\x00é\\z", `"a\"\u2028\ud83d\ude00\u0000é\\z"`},
	}
	for _, tt := range tests {
		got := frame.AppendString(nil, tt.in)
		equal(t, tt.name, got, []byte(tt.want))
	}
}

func TestAppendStringEveryControlCharacter(t *testing.T) {
	t.Parallel()
	short := map[rune]string{'\b': `\b`, '\t': `\t`, '\n': `\n`, '\f': `\f`, '\r': `\r`}
	const hex = "0123456789abcdef"
	for r := rune(0); r < 0x20; r++ {
		want, ok := short[r]
		if !ok {
			want = `\u00` + string(hex[r>>4]) + string(hex[r&0xF])
		}
		equal(t, "control", frame.AppendString(nil, string(r)), []byte(`"`+want+`"`))
	}
}

// TestAppendStringServerEncodes is JSONEncoding.test_xhr_server_encodes: every
// code point of the escaped ranges, sent raw, comes back as exactly the
// lower-case escapes, inside a messages frame.
func TestAppendStringServerEncodes(t *testing.T) {
	t.Parallel()
	ranges := [][2]rune{{0x200C, 0x200F}, {0x2028, 0x202F}, {0x2060, 0x206F}, {0xFFF0, 0xFFFF}}
	var raw, want strings.Builder
	const hex = "0123456789abcdef"
	for _, rg := range ranges {
		for r := rg[0]; r <= rg[1]; r++ {
			raw.WriteRune(r)
			want.WriteString(`\u`)
			for shift := 12; shift >= 0; shift -= 4 {
				want.WriteByte(hex[r>>shift&0xF])
			}
		}
	}
	got := frame.AppendMessages(nil, texts(raw.String()))
	equal(t, "frame", string(got), `a["`+want.String()+`"]`)
}

// TestAppendStringEveryCodePoint checks each Unicode scalar value on its own
// against the reference escaper, so that nothing outside the escape set is
// escaped and nothing inside it is left raw.
func TestAppendStringEveryCodePoint(t *testing.T) {
	t.Parallel()
	var buf []byte
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if 0xD800 <= r && r <= 0xDFFF {
			continue // not representable in UTF-8
		}
		s := string(r)
		buf = frame.AppendString(buf[:0], s)
		if string(buf) != refQuote(s) {
			t.Fatalf("U+%04X: got %q, want %q", r, buf, refQuote(s))
		}
	}
}

func TestAppendStringAppendsToDst(t *testing.T) {
	t.Parallel()
	dst := make([]byte, 0, 64)
	dst = append(dst, "prefix:"...)
	got := frame.AppendString(dst, "x\ny")
	equal(t, "appended", string(got), `prefix:"x\ny"`)
	if &got[0] != &dst[0] {
		t.Error("AppendString reallocated a buffer that had room")
	}
}

// TestAppendStringRoundTrip is the property decode(encode(s)) == s for valid
// UTF-8 s, checked with encoding/json and with DecodeMessages on strings drawn
// mostly from the characters with special treatment.
func TestAppendStringRoundTrip(t *testing.T) {
	t.Parallel()
	alphabet := []rune{
		'a', 'Z', '0', ' ', '"', '\\', '/', '<', '>', '&', '%', '\x00', '\x01', '\b', '\t', '\n',
		'\f', '\r', '\x1f', '\x7f', 0x80, 0x9f, 0xad, 0xe9, 0x7ff, 0x800, 0x200b, 0x200c, 0x200f,
		0x2028, 0x2029, 0x202f, 0x2060, 0x206f, 0x20ac, 0xfeff, 0xfff0, 0xfffd, 0xffff,
		0x10000, 0x1f600, 0x10ffff,
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		runes := make([]rune, rng.IntN(20))
		for i := range runes {
			if rng.IntN(4) == 0 {
				runes[i] = randomScalar(rng)
			} else {
				runes[i] = alphabet[rng.IntN(len(alphabet))]
			}
		}
		s := string(runes)
		enc := frame.AppendString(nil, s)

		var viaJSON string
		if err := json.Unmarshal(enc, &viaJSON); err != nil {
			t.Fatalf("%q encodes to %q, which encoding/json rejects: %v", s, enc, err)
		}
		equal(t, "encoding/json round trip", viaJSON, s)

		msgs, err := frame.DecodeMessages(frame.AppendMessages(nil, texts(s, s))[1:], 0)
		if err != nil || len(msgs) != 2 || msgs[0] != s || msgs[1] != s {
			t.Fatalf("DecodeMessages round trip of %q: got %q, %v", s, msgs, err)
		}
	}
}

// randomScalar returns a random Unicode scalar value (never a surrogate).
func randomScalar(rng *rand.Rand) rune {
	for {
		r := rune(rng.IntN(utf8.MaxRune + 1))
		if utf8.ValidRune(r) {
			return r
		}
	}
}
