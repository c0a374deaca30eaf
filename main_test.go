package sockjs_test

import (
	"net/http"
	"os"
	"testing"
	"time"
)

// TestMain gives http.DefaultClient a timeout, as a backstop for helpers
// that use it (http.Get, http.Post, websocket.Dial without a client): a
// hung request then fails its test instead of waiting for the test
// binary's 10-minute timeout. The root tests' own client is testClient.
func TestMain(m *testing.M) {
	http.DefaultClient.Timeout = time.Minute
	os.Exit(m.Run())
}
