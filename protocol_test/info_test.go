package protocol_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// decodeInfo parses an /info body, keeping numbers exact.
func decodeInfo(t *testing.T, r response) map[string]any {
	t.Helper()
	var info map[string]any
	dec := json.NewDecoder(strings.NewReader(r.body))
	dec.UseNumber()
	if err := dec.Decode(&info); err != nil {
		t.Fatalf("%s: body %s is not a JSON object: %v", r.req, quote(r.body), err)
	}
	return info
}

// entropy returns the info's entropy field, which must be an integer in
// 0…4294967295 (docs/protocol.md#info).
func entropy(t *testing.T, r response, info map[string]any) uint64 {
	t.Helper()
	n, ok := info["entropy"].(json.Number)
	if !ok {
		t.Fatalf("%s: entropy = %#v, want an integer", r.req, info["entropy"])
	}
	v, err := json.Number(n).Int64()
	if err != nil || v < 0 || v > 4294967295 {
		t.Fatalf("%s: entropy = %s, want an integer in 0…4294967295", r.req, n)
	}
	return uint64(v)
}

// GET /info describes the service, uncached, with CORS and no cookie (docs/protocol.md#info).
func TestInfoTest_Basic(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	r := do(t, "GET", base+echoPrefix+"/info", "", "Origin: test")
	assertStatus(t, r, http.StatusOK)
	assertContentType(t, r, ctJSON)
	assertNoHeader(t, r, "Set-Cookie")
	assertNoCache(t, r)
	assertCORS(t, r, "test")

	info := decodeInfo(t, r)
	if info["websocket"] != true {
		t.Errorf("websocket = %#v, want true", info["websocket"])
	}
	if info["cookie_needed"] != false {
		t.Errorf("cookie_needed = %#v, want false", info["cookie_needed"])
	}
	if diff := cmp.Diff([]any{"*:*"}, info["origins"]); diff != "" {
		t.Errorf("origins (-want +got):\n%s", diff)
	}
	entropy(t, r, info)
}

// Every /info response carries a new entropy value (docs/protocol.md#info).
func TestInfoTest_Entropy(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	r1 := do(t, "GET", base+echoPrefix+"/info", "")
	r2 := do(t, "GET", base+echoPrefix+"/info", "")
	e1, e2 := entropy(t, r1, decodeInfo(t, r1)), entropy(t, r2, decodeInfo(t, r2))
	if e1 == e2 {
		t.Errorf("entropy %d twice, want different values", e1)
	}
}

// OPTIONS /info is a preflight allowing OPTIONS and GET (docs/protocol.md#preflight, docs/protocol.md#info).
func TestInfoTest_Options(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	for _, origin := range []string{"test", "null"} {
		r := do(t, "OPTIONS", base+echoPrefix+"/info", "", "Origin: "+origin, "Access-Control-Request-Method: OPTIONS, GET")
		assertPreflight(t, r, origin, "OPTIONS", "GET")
	}
}

// The literal Origin null is echoed in the preflight (docs/protocol.md#cors).
func TestInfoTest_OptionsNullOrigin(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	r := do(t, "OPTIONS", base+echoPrefix+"/info", "", "Origin: null", "Access-Control-Request-Method: OPTIONS, GET")
	assertStatus(t, r, http.StatusNoContent)
	assertBody(t, r, "")
	assertHeader(t, r, "Access-Control-Allow-Origin", "null")
}

// /info reports websocket false when websockets are disabled (docs/protocol.md#info).
func TestInfoTest_DisabledWebsocket(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	r := do(t, "GET", base+wsOffPrefix+"/info", "")
	assertStatus(t, r, http.StatusOK)
	if info := decodeInfo(t, r); info["websocket"] != false {
		t.Errorf("websocket = %#v, want false", info["websocket"])
	}
}
