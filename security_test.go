package sockjs_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/gosockjs/sockjs"
)

// originStatus opens an xhr session with Origin origin and returns the status.
func originStatus(t *testing.T, client *http.Client, url, origin string) int {
	t.Helper()
	req, _ := http.NewRequest("POST", url, nil)
	req.Header.Set("Origin", origin)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// Same origin means same scheme, host and port: on an http service, pages
// of https://host, ws://host or foo://host are other origins.
func TestSameOriginComparesTheScheme(t *testing.T) {
	_, base := serve(t, sockjs.Options{}, echo)
	host := strings.TrimPrefix(strings.TrimSuffix(base, "/s"), "http://")
	for origin, want := range map[string]int{
		"http://" + host:  200,
		"HTTP://" + host:  200,
		"https://" + host: 403,
		"ws://" + host:    403,
		"foo://" + host:   403,
	} {
		if got := originStatus(t, testClient, base+"/000/"+origin[:2]+"x/xhr", origin); got != want {
			t.Errorf("Origin %s on an http service: %d, want %d", origin, got, want)
		}
	}
}

// On a TLS service the https page is the same origin and the http one is not.
func TestSameOriginOverTLS(t *testing.T) {
	h := sockjs.New("/s", sockjs.Options{}, echo)
	srv := httptest.NewTLSServer(h)
	t.Cleanup(func() { shutdown(t, h); srv.Close() })
	client := srv.Client()
	client.Timeout = 30 * time.Second
	host := strings.TrimPrefix(srv.URL, "https://")
	if got := originStatus(t, client, srv.URL+"/s/000/a/xhr", "https://"+host); got != 200 {
		t.Errorf("https page on an https service: %d, want 200", got)
	}
	if got := originStatus(t, client, srv.URL+"/s/000/b/xhr", "http://"+host); got != 403 {
		t.Errorf("http page on an https service: %d, want 403", got)
	}
}

// Behind a TLS-terminating proxy, ForwardedProto takes the scheme from a
// trusted proxy's X-Forwarded-Proto, and only from a trusted one.
func TestForwardedProto(t *testing.T) {
	for _, c := range []struct {
		trusted string
		want    int
	}{{"127.0.0.0/8", 200}, {"10.0.0.0/8", 403}} {
		_, base := serve(t, sockjs.Options{Scheme: sockjs.ForwardedProto(netip.MustParsePrefix(c.trusted))}, echo)
		host := strings.TrimPrefix(strings.TrimSuffix(base, "/s"), "http://")
		req, _ := http.NewRequest("POST", base+"/000/p/xhr", nil)
		req.Header.Set("Origin", "https://"+host)
		req.Header.Set("X-Forwarded-Proto", "https")
		resp, err := testClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("https page through a proxy, trusting %s: %d, want %d", c.trusted, resp.StatusCode, c.want)
		}
	}
}

func shutdown(t *testing.T, h *sockjs.Handler) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown: %v", err)
	}
}
