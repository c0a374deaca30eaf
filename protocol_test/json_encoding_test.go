package protocol_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// escapedRanges are the code points above U+00FF that a server must send as
// lower-case \uXXXX escapes (docs/protocol.md#escaping).
var escapedRanges = [][2]rune{{0x200c, 0x200f}, {0x2028, 0x202f}, {0x2060, 0x206f}, {0xfff0, 0xffff}}

// The echo of raw U+200C–U+200F, U+2028–U+202F, U+2060–U+206F and
// U+FFF0–U+FFFF comes back as exactly those escapes, in lower case (docs/protocol.md#escaping).
func TestJSONEncoding_XhrServerEncodes(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	id := newID(t)
	xhr := base + sessionPath(echoPrefix, id, "xhr")

	var raw, escaped strings.Builder
	for _, rg := range escapedRanges {
		for r := rg[0]; r <= rg[1]; r++ {
			raw.WriteRune(r)
			fmt.Fprintf(&escaped, `\u%04x`, r)
		}
	}

	assertBody(t, do(t, "POST", xhr, ""), "o\n")
	s := do(t, "POST", base+sessionPath(echoPrefix, id, "xhr_send"), `["`+raw.String()+`"]`)
	assertStatus(t, s, http.StatusNoContent)

	r := do(t, "POST", xhr, "")
	assertStatus(t, r, http.StatusOK)
	assertBody(t, r, `a["`+escaped.String()+"\"]\n")
}

// Messages sent with \u escapes of the characters the client escapes echo back
// JSON-equal (docs/protocol.md#client-payloads).
func TestJSONEncoding_XhrServerDecodes(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	id := newID(t)
	xhr := base + sessionPath(echoPrefix, id, "xhr")

	var msg []rune
	for _, rg := range [][2]rune{{0x00, 0x1f}, {'"', '"'}, {'\\', '\\'}, {0x7f, 0x9f}, {0x300, 0x36f}, {0x2000, 0x20ff}, {0xfeff, 0xfeff}, {0xfff0, 0xffff}} {
		for r := rg[0]; r <= rg[1]; r++ {
			msg = append(msg, r)
		}
	}
	var payload strings.Builder
	payload.WriteString(`["`)
	for _, r := range msg {
		fmt.Fprintf(&payload, `\u%04x`, r)
	}
	payload.WriteString(`"]`)

	assertBody(t, do(t, "POST", xhr, ""), "o\n")
	s := do(t, "POST", base+sessionPath(echoPrefix, id, "xhr_send"), payload.String())
	assertStatus(t, s, http.StatusNoContent)

	r := do(t, "POST", xhr, "")
	assertStatus(t, r, http.StatusOK)
	var got []string
	if !strings.HasPrefix(r.body, "a") || !strings.HasSuffix(r.body, "\n") || json.Unmarshal([]byte(r.body[1:len(r.body)-1]), &got) != nil {
		t.Fatalf("%s: body = %s, want an a frame and a newline", r.req, quote(r.body))
	}
	if want := []string{string(msg)}; !slices.Equal(got, want) {
		t.Errorf("%s: messages = %q, want %q", r.req, got, want)
	}
}
