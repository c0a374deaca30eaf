package client

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

var (
	errEndedBeforeOpen  = errors.New("response ended before the open frame")
	errEndedBeforeClose = errors.New("websocket ended without a close frame")
)

// transportError is why one transport did not open.
type transportError struct {
	name string
	err  error
}

func (e *transportError) Error() string { return e.name + ": " + e.err.Error() }
func (e *transportError) Unwrap() error { return e.err }

// info is what GET /info tells of the server.
type info struct {
	Websocket    bool   `json:"websocket"`     // the websocket transport is on
	CookieNeeded bool   `json:"cookie_needed"` // the server relies on JSESSIONID cookies
	BaseURL      string `json:"base_url"`      // where to open sessions, if not at the URL dialled
}

// Dial opens a SockJS connection to the service at rawURL (http, https, ws
// or wss, e.g. "http://localhost:8081/echo"), as sockjs-client does: it
// asks GET /info whether websockets are on and times that request, then
// tries the transports of opts.Transports in order until one opens, giving
// each the time derived from the round trip (see Options.OpenTimeout).
// opts may be nil.
//
// ctx bounds the dialling only; the connection lives until Close or until
// the server or the network ends it. When no transport opens, Dial returns
// a *CloseError with CodeAllTransports whose Err lists why each failed;
// when the server closes the session while it opens, the server's
// *CloseError.
func Dial(ctx context.Context, rawURL string, opts *Options) (*Conn, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	o = o.withDefaults()
	base, query, err := parseBaseURL(rawURL)
	if err != nil {
		return nil, err
	}
	for _, name := range o.Transports {
		if !slices.Contains(defaultTransports, name) {
			return nil, fmt.Errorf("sockjs client: unknown transport %q", name)
		}
	}
	client, owned := o.HTTPClient, false
	if client == nil {
		client = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
		owned = true
	}
	if client.Jar == nil {
		jar, _ := cookiejar.New(nil)
		withJar := *client
		withJar.Jar = jar
		client = &withJar
	}
	inf, rtt, err := getInfo(ctx, client, base, query, o)
	if err != nil {
		if owned {
			client.CloseIdleConnections()
		}
		return nil, err
	}
	if inf.BaseURL != "" {
		if b, q, err := parseBaseURL(inf.BaseURL); err == nil {
			base, query = b, q
		}
	}
	var names []string
	for _, name := range o.Transports {
		if name != Websocket || inf.Websocket {
			names = append(names, name)
		}
	}

	opened := make(chan error, 1)
	pub := &Conn{
		sends:  make(chan string),
		closes: make(chan closeRequest),
		recvs:  make(chan string),
		done:   make(chan struct{}),
	}
	c := &conn{
		pub:         pub,
		opts:        o,
		client:      client,
		ownedClient: owned,
		baseURL:     base,
		query:       query,
		rtt:         rtt,
		dialCtx:     ctx,
		opened:      opened,
		frames:      make(chan attemptFrame),
		events:      make(chan attemptEvent, 4),
		transports:  names,
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	go c.run()
	if err := <-opened; err != nil {
		<-pub.done
		return nil, err
	}
	return pub, nil
}

// parseBaseURL checks rawURL and returns it as an http(s) URL without a
// final slash, query or fragment, and its query apart: as sockjs-client, the
// client adds the query (a token for authentication, say) to every request.
func parseBaseURL(rawURL string) (base, query string, err error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", "", fmt.Errorf("sockjs client: %w", err)
	}
	switch u.Scheme {
	case "http", "https":
	case "ws":
		u.Scheme = "http"
	case "wss":
		u.Scheme = "https"
	default:
		return "", "", fmt.Errorf("sockjs client: URL %q: scheme must be http, https, ws or wss", rawURL)
	}
	query, u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = u.RawQuery, "", false, "", ""
	return strings.TrimSuffix(u.String(), "/"), query, nil
}

// withQuery returns u with the query q and, if cacheBust, a t= parameter
// to keep caches away, as sockjs-client's requests have.
func withQuery(u, q string, cacheBust bool) string {
	if cacheBust {
		if q != "" {
			q += "&"
		}
		q += "t=" + strconv.FormatInt(time.Now().UnixMilli(), 10)
	}
	if q == "" {
		return u
	}
	return u + "?" + q
}

// getInfo asks the server's /info and measures the round trip.
func getInfo(ctx context.Context, client *http.Client, base, query string, o Options) (info, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, o.InfoTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, withQuery(base+"/info", query, true), nil)
	if err != nil {
		return info{}, 0, fmt.Errorf("sockjs client: %w", err)
	}
	for k, v := range o.Header {
		req.Header[k] = v
	}
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return info{}, 0, fmt.Errorf("sockjs client: /info: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	rtt := time.Since(start)
	if err != nil {
		return info{}, 0, fmt.Errorf("sockjs client: /info: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return info{}, 0, fmt.Errorf("sockjs client: /info: %w", &errStatus{resp.StatusCode})
	}
	var inf info
	if err := json.Unmarshal(body, &inf); err != nil {
		return info{}, 0, fmt.Errorf("sockjs client: /info: %w", err)
	}
	return inf, rtt, nil
}

// randomServerID returns the server part of a session URL: three digits.
func randomServerID() string {
	var b [2]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%03d", (int(b[0])<<8|int(b[1]))%1000)
}

// randomSessionID returns a session id: 8 letters and digits, as
// sockjs-client's.
func randomSessionID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz012345"
	var b [8]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = alphabet[b[i]%32]
	}
	return string(b[:])
}
