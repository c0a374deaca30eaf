package frame_test

import (
	"testing"

	"github.com/gosockjs/sockjs/internal/frame"
)

func TestQuotedLenMatchesAppendString(t *testing.T) {
	for _, s := range []string{
		"", "plain", `"\`, "\x00\x01\x1f\b\t\n\f\r", "é中", "\u2028\u200c\u2060\ufff0",
		"\U0001F600", "\xff\xfe", "a\xc3", "\xed\xa0\x80", "<script>&</script>",
		string([]byte{0xe2, 0x80}), "mixed \xff é \U0001F600 \" \x7f",
	} {
		if got, want := frame.QuotedLen(s), len(frame.AppendString(nil, s)); got != want {
			t.Errorf("frame.QuotedLen(%q) = %d, want %d", s, got, want)
		}
	}
}

func FuzzQuotedLen(f *testing.F) {
	f.Add("a\xffé\U0001F600\"")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := frame.QuotedLen(s), len(frame.AppendString(nil, s)); got != want {
			t.Fatalf("frame.QuotedLen(%q) = %d, want %d", s, got, want)
		}
	})
}

func TestDecodeStopsAtMax(t *testing.T) {
	p := []byte(`["a","b","c"]`)
	if msgs, err := frame.DecodeMessages(p, 3); err != nil || len(msgs) != 3 {
		t.Errorf("DecodeMessages(3 elements, max 3) = %q, %v", msgs, err)
	}
	if _, err := frame.DecodeMessages(p, 2); err != frame.ErrTooManyMessages {
		t.Errorf("DecodeMessages(3 elements, max 2) error = %v, want ErrTooManyMessages", err)
	}
	if _, err := frame.DecodeWebsocketMessage(nil, p, 1); err != frame.ErrTooManyMessages {
		t.Errorf("DecodeWebsocketMessage(3 elements, max 1) error = %v, want ErrTooManyMessages", err)
	}
}
