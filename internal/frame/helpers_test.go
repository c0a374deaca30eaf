package frame_test

import (
	"fmt"
	"github.com/gosockjs/sockjs/internal/frame"
	"strings"
	"testing"
	"unicode/utf16"
)

// equal fails the test if got and want differ, quoting both so that escapes
// and invisible characters show.
func equal[T ~string | ~[]byte](t *testing.T, name string, got, want T) {
	t.Helper()
	if string(got) != string(want) {
		t.Errorf("%s:\n got %q\nwant %q", name, got, want)
	}
}

// inSpecEscapeRanges reports whether r is in the non-ASCII ranges that
// the protocol requires to be escaped (docs/protocol.md#escaping), written
// out range by range.
func inSpecEscapeRanges(r rune) bool {
	return 0x200C <= r && r <= 0x200F ||
		0x2028 <= r && r <= 0x202F ||
		0x2060 <= r && r <= 0x206F ||
		0xFFF0 <= r && r <= 0xFFFF
}

// refQuote is a slow reference for AppendString, written rune by rune from
// the rules of docs/protocol.md#escaping. Ranging over a string yields U+FFFD for each
// invalid byte, which is the required treatment of invalid UTF-8.
func refQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\f':
			b.WriteString(`\f`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20, inSpecEscapeRanges(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		case r > 0xFFFF:
			hi, lo := utf16.EncodeRune(r)
			fmt.Fprintf(&b, `\u%04x\u%04x`, hi, lo)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// validUTF8 is s with each byte of invalid UTF-8 replaced by U+FFFD, which is
// what both encoding/json and this package make of such bytes.
func validUTF8(s string) string {
	return string([]rune(s))
}

// texts makes messages of plain strings, for AppendMessages.
func texts(ss ...string) []frame.Message {
	msgs := make([]frame.Message, len(ss))
	for i, s := range ss {
		msgs[i] = frame.Message{Text: s}
	}
	return msgs
}
