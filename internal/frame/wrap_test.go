package frame_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/gosockjs/sockjs/internal/frame"
)

func TestAppendEventSource(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, frame, want string
	}{
		{"open", "o", "data: o\r\n\r\n"},
		{"heartbeat", "h", "data: h\r\n\r\n"},
		{"messages", `a["x"]`, "data: a[\"x\"]\r\n\r\n"},
		{"percent", `a["%61bc"]`, "data: a[\"%2561bc\"]\r\n\r\n"},
		{"CR LF NUL", "1\r2\n3\x004", "data: 1%0D2%0A3%004\r\n\r\n"},
		{"nothing else", "\t\"\\<é\x01", "data: \t\"\\<é\x01\r\n\r\n"},
		{"empty", "", "data: \r\n\r\n"},
	}
	for _, tt := range tests {
		equal(t, tt.name, string(frame.AppendEventSource(nil, []byte(tt.frame))), tt.want)
	}
}

// TestAppendEventSourceSuiteExample is the suite's EventSource example: a
// message of two spaces, NUL, LF, CR and a space travels JSON-escaped.
func TestAppendEventSourceSuiteExample(t *testing.T) {
	t.Parallel()
	f := frame.AppendMessages(nil, texts("  \x00\n\r "))
	got := frame.AppendEventSource([]byte("prefix"), f)
	equal(t, "eventsource", string(got), "prefix"+`data: a["  \u0000\n\r "]`+"\r\n\r\n")
}

func TestAppendHTMLFile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, frame, want string
	}{
		{"open", "o", "<script>\np(\"o\");\n</script>\r\n"},
		{"messages", `a["x"]`, "<script>\np(\"a[\\\"x\\\"]\");\n</script>\r\n"},
		{"close", `c[3000,"Go away!"]`, "<script>\np(\"c[3000,\\\"Go away!\\\"]\");\n</script>\r\n"},
		{"script end", `a["</script>"]`, "<script>\np(\"a[\\\"\\u003c/script\\u003e\\\"]\");\n</script>\r\n"},
		{"ampersand", `a["&amp;"]`, "<script>\np(\"a[\\\"\\u0026amp;\\\"]\");\n</script>\r\n"},
		{"escaped escape", `a["\u2028"]`, "<script>\np(\"a[\\\"\\\\u2028\\\"]\");\n</script>\r\n"},
	}
	for _, tt := range tests {
		equal(t, tt.name, string(frame.AppendHTMLFile(nil, []byte(tt.frame))), tt.want)
	}
}

// TestAppendHTMLFileCannotCloseScript checks that no message, however
// hostile, puts markup into the htmlfile page.
func TestAppendHTMLFileCannotCloseScript(t *testing.T) {
	t.Parallel()
	f := frame.AppendMessages(nil, texts("</script><script>alert(1)</script>", "<!--", "]]>"))
	got := string(frame.AppendHTMLFile(nil, f))
	body := strings.TrimSuffix(strings.TrimPrefix(got, "<script>\np("), ");\n</script>\r\n")
	if strings.ContainsAny(body, "<>&") {
		t.Errorf("markup characters in script body %q", body)
	}
	var text string
	if err := json.Unmarshal([]byte(body), &text); err != nil {
		t.Fatalf("script argument %q is not a JSON string: %v", body, err)
	}
	equal(t, "argument", text, string(f))
}

func TestAppendJSONP(t *testing.T) {
	t.Parallel()
	tests := []struct {
		callback, frame, want string
	}{
		{"callback", "o", "/**/callback(\"o\");\r\n"},
		{"callback", `a["x"]`, "/**/callback(\"a[\\\"x\\\"]\");\r\n"},
		{"x", `c[3000,"Go away!"]`, "/**/x(\"c[3000,\\\"Go away!\\\"]\");\r\n"},
		{"x", `a["abc","%61bc"]`, "/**/x(\"a[\\\"abc\\\",\\\"%61bc\\\"]\");\r\n"},
		{"_jp.a1b2c3", `a["<b>&"]`, "/**/_jp.a1b2c3(\"a[\\\"\\u003cb\\u003e\\u0026\\\"]\");\r\n"},
	}
	for _, tt := range tests {
		equal(t, tt.want, string(frame.AppendJSONP(nil, tt.callback, []byte(tt.frame))), tt.want)
	}
}

// TestWrappersEncodeFrameText checks that the JSON string of the script
// transports holds the frame text unchanged, whatever the frame holds.
func TestWrappersEncodeFrameText(t *testing.T) {
	t.Parallel()
	frames := []string{
		"o", "h", `a["x"]`, `a["\u2028 \ud83d\ude00"]`, "raw \u2028 😀 \x00 \xff", `c[3000,"Go away!"]`,
	}
	for _, f := range frames {
		jsonp := string(frame.AppendJSONP(nil, "cb", []byte(f)))
		arg := strings.TrimSuffix(strings.TrimPrefix(jsonp, "/**/cb("), ");\r\n")
		var got string
		if err := json.Unmarshal([]byte(arg), &got); err != nil {
			t.Fatalf("frame %q: argument %q is not a JSON string: %v", f, arg, err)
		}
		equal(t, "frame text", got, validUTF8(f))
	}
}
