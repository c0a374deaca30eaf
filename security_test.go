package sockjs_test

import (
	"context"
	"io"
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
	h := sockjs.New("/s", sockjs.Options{ShutdownGrace: testGrace}, echo)
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

// fetch makes a request with the given headers and returns the status.
func fetchStatus(t *testing.T, method, url string, header http.Header) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, method, url, nil)
	req.Header = header
	resp, err := testClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	resp.Body.Close() // a stream's status is enough
	return resp.StatusCode
}

// A cross-site navigation, iframe or script carries the victim's cookies
// and no Origin; the browser's Sec-Fetch-Site says where it comes from.
// Session routes refuse it unless every origin is allowed; the iframe page
// and /info stay available.
func TestCrossSiteRequestsWithoutOrigin(t *testing.T) {
	policies := []struct {
		name    string
		allowed []string
		// want: Sec-Fetch-Site value -> status of a session request
		want map[string]int
	}{
		{"same origin only", nil, map[string]int{"cross-site": 403, "same-site": 403, "same-origin": 200, "none": 200, "": 200}},
		{"a list", []string{"https://*.example.com"}, map[string]int{"cross-site": 403, "same-site": 200, "same-origin": 200, "none": 200, "": 200}},
		{"every origin", []string{"*"}, map[string]int{"cross-site": 200, "same-site": 200, "same-origin": 200, "none": 200, "": 200}},
	}
	routes := []struct{ method, path string }{
		{"GET", "/eventsource"},
		{"GET", "/jsonp?c=cb"},
		{"GET", "/htmlfile?c=cb"},
		{"POST", "/xhr"},
		{"POST", "/xhr_streaming"},
	}
	for _, p := range policies {
		t.Run(p.name, func(t *testing.T) {
			counters := new(sockjs.Counters)
			_, base := serve(t, sockjs.Options{AllowedOrigins: p.allowed, Metrics: counters, DisconnectDelay: 200 * time.Millisecond}, echo)
			refused := 0
			for site, want := range p.want {
				header := http.Header{}
				if site != "" {
					header.Set("Sec-Fetch-Site", site)
				}
				for i, rt := range routes {
					id := "s" + strings.ReplaceAll(site, "-", "") + string(rune('a'+i))
					if got := fetchStatus(t, rt.method, base+"/000/"+id+rt.path, header); got != want {
						t.Errorf("%s with Sec-Fetch-Site %q: %d, want %d", rt.path, site, got, want)
					}
					if want == 403 {
						refused++
					}
				}
				// Sends are session routes too: the attack's second half.
				if got := fetchStatus(t, "POST", base+"/000/nosuch/xhr_send", header); want == 403 && got != 403 {
					t.Errorf("xhr_send with Sec-Fetch-Site %q: %d, want 403", site, got)
				} else if want == 403 {
					refused++
				}
				for _, page := range []string{"/iframe.html", "/info"} {
					if got := fetchStatus(t, "GET", base+page, header); got != 200 {
						t.Errorf("%s with Sec-Fetch-Site %q: %d, want 200", page, site, got)
					}
				}
			}
			if n := counters.Snapshot().RejectedRequests[sockjs.RejectCrossSite]; n != int64(refused) {
				t.Errorf("cross-site rejections counted: %d, want %d", n, refused)
			}
		})
	}
}

// Requests that carry an Origin follow the origin policy whatever
// Sec-Fetch-Site says: an allowed cross-site page uses the service.
func TestCrossSiteWithAllowedOrigin(t *testing.T) {
	_, base := serve(t, sockjs.Options{AllowedOrigins: []string{"https://app.example.com"}}, echo)
	header := http.Header{"Sec-Fetch-Site": {"cross-site"}, "Origin": {"https://app.example.com"}}
	if got := fetchStatus(t, "GET", base+"/000/x/eventsource", header); got != 200 {
		t.Fatalf("allowed cross-site page: %d, want 200", got)
	}
	header.Set("Origin", "https://evil.example")
	if got := fetchStatus(t, "GET", base+"/000/y/eventsource", header); got != 403 {
		t.Fatalf("other cross-site page: %d, want 403", got)
	}
}

// iframeScriptTag returns the script tag that loads the client in the
// iframe page of a handler with opts.
func iframeScriptTag(t *testing.T, opts sockjs.Options) string {
	t.Helper()
	_, base := serve(t, opts, echo)
	resp, err := testClient.Get(base + "/iframe.html")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	_, rest, ok := strings.Cut(string(b), `<script src="`)
	tag, _, _ := strings.Cut(rest, "</script>")
	if !ok {
		t.Fatalf("no script tag in %q", b)
	}
	// The ETag still validates the page.
	req, _ := http.NewRequest("GET", base+"/iframe.html", nil)
	req.Header.Set("If-None-Match", resp.Header.Get("ETag"))
	resp2, err := testClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp2.Body.Close()
	if resp2.StatusCode != http.StatusNotModified {
		t.Errorf("conditional GET of the iframe page: %d, want 304", resp2.StatusCode)
	}
	return `<script src="` + tag
}

// The default client is a pinned version loaded with a Subresource
// Integrity check; a custom URL has none unless ClientIntegrity is set.
func TestIframePageClientIntegrity(t *testing.T) {
	want := `<script src="https://cdn.jsdelivr.net/npm/sockjs-client@1.6.1/dist/sockjs.min.js" integrity="sha384-svdnwiXBL+Js+yUneJSRFy24NgGiOfDM/vkQl/vCeVrcbYD6yW8EwPr1FnxTEZsR" crossorigin="anonymous">`
	if got := iframeScriptTag(t, sockjs.Options{}); got != want {
		t.Errorf("default:\n got %s\nwant %s", got, want)
	}
	if got := iframeScriptTag(t, sockjs.Options{ClientURL: "/static/sockjs.js"}); got != `<script src="/static/sockjs.js">` {
		t.Errorf("custom URL: %s", got)
	}
	if got := iframeScriptTag(t, sockjs.Options{ClientURL: "/static/sockjs.js", ClientIntegrity: "sha384-abc"}); got != `<script src="/static/sockjs.js" integrity="sha384-abc" crossorigin="anonymous">` {
		t.Errorf("custom URL with integrity: %s", got)
	}
}
