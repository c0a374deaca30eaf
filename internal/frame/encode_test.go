package frame_test

import (
	"strings"
	"testing"

	"github.com/gosockjs/sockjs/internal/frame"
)

func TestFixedFrames(t *testing.T) {
	t.Parallel()
	equal(t, "open", frame.Open, "o")
	equal(t, "heartbeat", frame.Heartbeat, "h")
	equal(t, "2010", string(frame.AppendClose(nil, 2010, "Another connection still open")),
		`c[2010,"Another connection still open"]`)
}

func TestAppendMessages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		msgs []string
		want string
	}{
		{"one", []string{"a"}, `a["a"]`},
		{"two, no spaces", []string{"hello", "x"}, `a["hello","x"]`},
		{"empty message", []string{""}, `a[""]`},
		{"escaped", []string{`"q"`, "l\u2028s", "\x00"}, `a["\"q\"","l\u2028s","\u0000"]`},
		{"eight", []string{"a", "a", "a", "a", "a", "a", "a", "a"}, `a["a","a","a","a","a","a","a","a"]`},
		{"no messages writes a[]", nil, `a[]`},
	}
	for _, tt := range tests {
		equal(t, tt.name, string(frame.AppendMessages(nil, texts(tt.msgs...))), tt.want)
	}
}

func TestAppendMessagesAppendsToDst(t *testing.T) {
	t.Parallel()
	got := frame.AppendMessages([]byte("x"), texts("y"))
	equal(t, "appended", string(got), `xa["y"]`)
}

// TestAppendMessagesResponseLimitArithmetic pins the frame size the suite's
// response_limit test counts on: a 128-byte message is a 133-byte frame
// (134 with the xhr_streaming newline).
func TestAppendMessagesResponseLimitArithmetic(t *testing.T) {
	t.Parallel()
	f := frame.AppendMessages(nil, texts(strings.Repeat("x", 128)))
	if len(f) != 133 {
		t.Errorf("frame length = %d, want 133", len(f))
	}
}

func TestAppendClose(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code   int
		reason string
		want   string
	}{
		{3000, "Go away!", `c[3000,"Go away!"]`},
		{1000, "Normal closure", `c[1000,"Normal closure"]`},
		{1002, "Connection interrupted", `c[1002,"Connection interrupted"]`},
		{4999, "", `c[4999,""]`},
		{3000, "say \"bye\"\n", `c[3000,"say \"bye\"\n"]`},
		{0, "\u2028", `c[0,"\u2028"]`},
	}
	for _, tt := range tests {
		equal(t, tt.want, string(frame.AppendClose(nil, tt.code, tt.reason)), tt.want)
	}
}
