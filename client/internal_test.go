package client

import (
	"bufio"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The open timeout is sockjs-client's: RTO × 2 round trips, RTO = 300 ms +
// RTT up to 100 ms of RTT and 4 × RTT above, or Options.OpenTimeout if
// longer.
func TestOpenTimeoutFromRoundTrip(t *testing.T) {
	ms := time.Millisecond
	for _, tc := range []struct {
		rtt, min, want time.Duration
	}{
		{1 * ms, 0, 602 * ms},
		{100 * ms, 0, 800 * ms},
		{101 * ms, 0, 808 * ms},
		{500 * ms, 0, 4000 * ms},
		{1 * ms, 5 * time.Second, 5 * time.Second},
		{2 * time.Second, 5 * time.Second, 16 * time.Second},
	} {
		if got := openTimeout(tc.rtt, 2, tc.min); got != tc.want {
			t.Errorf("openTimeout(%v, 2, %v) = %v, want %v", tc.rtt, tc.min, got, tc.want)
		}
	}
}

// Frames are read by their first byte; a and c frames carry JSON.
func TestParseFrame(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want frame
		bad  bool
	}{
		{in: "o", want: frame{kind: 'o'}},
		{in: "h", want: frame{kind: 'h'}},
		{in: "hhhhhhhhhh", want: frame{kind: 'h'}}, // the xhr-streaming prelude
		{in: `a["x","\u2028y\ud83d\ude00"]`, want: frame{kind: 'a', msgs: []string{"x", "\u2028y😀"}}},
		{in: `m"one"`, want: frame{kind: 'a', msgs: []string{"one"}}},
		{in: `c[3000,"Go away!"]`, want: frame{kind: 'c', code: 3000, reason: "Go away!"}},
		{in: "", bad: true},
		{in: "a[1]", bad: true},
		{in: `a["x"`, bad: true},
		{in: `c[3000]`, bad: true},
		{in: `c["3000","x"]`, bad: true},
		{in: "x", bad: true},
	} {
		got, err := parseFrame([]byte(tc.in))
		if tc.bad {
			if !errors.Is(err, errBadFrame) {
				t.Errorf("parseFrame(%q) = %v, %v; want errBadFrame", tc.in, got, err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parseFrame(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}

// Event-stream data lines are decoded as JavaScript's decodeURI does.
func TestDecodeURI(t *testing.T) {
	for in, want := range map[string]string{
		`a["x"]`:         `a["x"]`,
		`a["%2541"]`:     `a["%41"]`,
		`a["%0A%0D%00"]`: "a[\"\n\r\x00\"]",
		`%23%2F%3F`:      `%23%2F%3F`, // reserved characters stay escaped
		`%E2%82%AC`:      "€",
		`100%`:           `100%`,
		`%4`:             `%4`,
		`%zz`:            `%zz`,
	} {
		if got := string(decodeURI([]byte(in))); got != want {
			t.Errorf("decodeURI(%q) = %q, want %q", in, got, want)
		}
	}
}

// Server-sent events: the "\r\n" prelude and events without data are
// skipped, data lines join with "\n", the data is percent-decoded.
func TestReadEvent(t *testing.T) {
	body := "\r\ndata: o\r\n\r\n: a comment\r\n\r\ndata: a[\"%2541\"]\r\n\r\ndata:h\n\ndata: a\ndata: b\n\n"
	br := bufio.NewReader(strings.NewReader(body))
	var got []string
	for {
		p, err := readEvent(br, 1024)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(p))
	}
	want := []string{"o", `a["%41"]`, "h", "a\nb"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("events = %q, want %q", got, want)
	}
	if _, err := readEvent(bufio.NewReader(strings.NewReader("data: "+strings.Repeat("x", 2000)+"\n\n")), 1024); !errors.Is(err, errBadFrame) {
		t.Errorf("an event over the limit: %v, want errBadFrame", err)
	}
}
