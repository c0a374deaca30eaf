package sockjs_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
	"github.com/gosockjs/sockjs"
	"github.com/gosockjs/sockjs/internal/leak"
)

// Invalid UTF-8 in a raw websocket text message closes the connection with
// 1007, as RFC 6455 asks, instead of reaching the application (which could
// relay it to other clients and break their connections).
func TestRawWebsocketInvalidUTF8Closes1007(t *testing.T) {
	leak.Check(t)
	got := make(chan string, 1)
	_, u := serve(t, sockjs.Options{}, func(s *sockjs.Session) {
		if msg, err := s.Recv(s.Context()); err == nil {
			got <- msg
		}
	})
	c := dialWS(t, u+"/websocket")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Write(ctx, websocket.MessageText, []byte("bad \xff\xfe bytes")); err != nil {
		t.Fatal(err)
	}
	_, _, err := c.Read(ctx)
	if code := websocket.CloseStatus(err); code != websocket.StatusInvalidFramePayloadData {
		t.Fatalf("after invalid UTF-8: %v, want close 1007", err)
	}
	select {
	case msg := <-got:
		t.Fatalf("the application received %q", msg)
	default:
	}
}

// A close reason longer than a websocket close frame holds is cut on a
// character boundary, the same on every transport, and the close frame is
// sent.
func TestLongCloseReasonIsCut(t *testing.T) {
	leak.Check(t)
	reason := strings.Repeat("é", 100) // 200 bytes
	want := strings.Repeat("é", 61)    // 122 bytes: the 123rd would split a character
	_, u := serve(t, sockjs.Options{}, func(s *sockjs.Session) {
		if err := s.Close(4000, reason); err != nil {
			t.Errorf("Close: %v", err)
		}
	})

	c := dialWS(t, u+"/websocket")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _, err := c.Read(ctx)
	var ce websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != 4000 || ce.Reason != want {
		t.Fatalf("raw websocket: %v, want close 4000 with the reason cut to %d bytes", err, len(want))
	}

	_, body := post(t, u+"/000/long/xhr", "")
	if body != "o\n" {
		t.Fatalf("open: %q", body)
	}
	_, body = post(t, u+"/000/long/xhr", "")
	if body != `c[4000,"`+want+`"]`+"\n" {
		t.Fatalf("xhr close frame %q", body)
	}
	if !utf8.ValidString(want) || len(want) > 123 {
		t.Fatal("the expected reason itself is wrong")
	}
}
