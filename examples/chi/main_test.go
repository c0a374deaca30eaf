package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/gosockjs/sockjs"
)

func TestMountedOnChi(t *testing.T) {
	h := sockjs.New("/echo", sockjs.Options{}, func(s *sockjs.Session) {
		msg, _ := s.Recv(s.Context())
		_ = s.Send(msg)
	})
	defer h.Shutdown(context.Background())
	r := chi.NewRouter()
	r.Handle("/echo", h)
	r.Handle("/echo/*", h)
	srv := httptest.NewServer(r)
	defer srv.Close()
	for _, step := range []struct{ path, body, want string }{
		{"/echo", "", "Welcome to SockJS!\n"},
		{"/echo/000/c/xhr", "", "o\n"},
		{"/echo/000/c/xhr_send", `["chi"]`, ""},
		{"/echo/000/c/xhr", "", "a[\"chi\"]\n"},
	} {
		method := "POST"
		if step.path == "/echo" {
			method = "GET"
		}
		req, _ := http.NewRequest(method, srv.URL+step.path, strings.NewReader(step.body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != step.want {
			t.Fatalf("%s %s: %q, want %q", method, step.path, b, step.want)
		}
	}
}
