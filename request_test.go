package sockjs_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/gosockjs/sockjs"
)

// bigHeaders is about 1 MB of headers, plus a cookie and a small header
// that an application would read.
func bigHeaders() http.Header {
	h := http.Header{}
	for i := 0; i < 100; i++ {
		h.Set(fmt.Sprintf("X-Big-%02d", i), strings.Repeat("x", 10<<10))
	}
	h.Set("Cookie", "sid=abc")
	h.Set("X-Small", "y")
	return h
}

func headerBytes(h http.Header) int {
	n := 0
	for name, values := range h {
		for _, v := range values {
			n += len(name) + len(v) + 4
		}
	}
	return n
}

// A session keeps a bounded copy of its opening request: 1 MB of headers
// (which a server with a raised MaxHeaderBytes accepts) are not retained,
// while small headers such as the cookie are.
func TestSessionKeepsABoundedRequest(t *testing.T) {
	requests := make(chan *http.Request, 100)
	h := sockjs.New("/s", sockjs.Options{ShutdownGrace: testGrace}, func(s *sockjs.Session) {
		requests <- s.Request()
		echo(s)
	})
	srv := httptest.NewUnstartedServer(h)
	srv.Config.MaxHeaderBytes = 4 << 20
	srv.Start()
	t.Cleanup(func() { shutdown(t, h); srv.Close() })
	base := srv.URL + "/s"

	check := func(what string, r *http.Request) {
		t.Helper()
		if n := headerBytes(r.Header); n > sockjs.KeptHeaderBytes {
			t.Errorf("%s: the session keeps %d bytes of headers, bound %d", what, n, sockjs.KeptHeaderBytes)
		}
		if r.Header.Get("Cookie") != "sid=abc" || r.Header.Get("X-Small") != "y" {
			t.Errorf("%s: small headers lost: %v", what, r.Header)
		}
	}

	req, _ := http.NewRequest("POST", base+"/000/big/xhr?"+strings.Repeat("q", 8<<10), nil)
	req.Header = bigHeaders()
	resp, err := testClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("open with 1 MB of headers: %d", resp.StatusCode)
	}
	r := <-requests
	check("xhr", r)
	if r.URL.RawQuery != "" {
		t.Errorf("a %d-byte query string was kept", len(r.URL.RawQuery))
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocketDial(ctx, base+"/000/bigws/websocket", &websocket.DialOptions{HTTPHeader: bigHeaders(), HTTPClient: testClient})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	check("websocket", <-requests)

	// Memory: sessions opened with 1 MB of headers each hold little.
	const sessions = 30
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := 0; i < sessions; i++ {
		req, _ := http.NewRequest("POST", fmt.Sprintf("%s/000/m%d/xhr", base, i), nil)
		req.Header = bigHeaders()
		resp, err := testClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		<-requests
	}
	testClient.CloseIdleConnections()
	runtime.GC()
	runtime.ReadMemStats(&after)
	grown := int64(after.HeapInuse) - int64(before.HeapInuse)
	t.Logf("%d sessions opened with 1 MB of headers each: heap grew by %d KiB", sessions, grown>>10)
	if grown > 8<<20 {
		t.Errorf("heap grew by %d bytes for %d sessions; their headers are retained", grown, sessions)
	}
}
