package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/gosockjs/sockjs"
)

func TestMountedOnGin(t *testing.T) {
	gin.SetMode(gin.TestMode)
	h := sockjs.New("/echo", sockjs.Options{}, func(s *sockjs.Session) {
		msg, _ := s.Recv(s.Context())
		_ = s.Send(msg)
	})
	defer h.Shutdown(context.Background())
	srv := httptest.NewServer(newRouter(h))
	defer srv.Close()
	for _, step := range []struct{ method, path, body, want string }{
		{"GET", "/echo", "", "Welcome to SockJS!\n"},
		{"GET", "/echo/info", "", `"websocket":true`},
		{"POST", "/echo/000/g/xhr", "", "o\n"},
		{"POST", "/echo/000/g/xhr_send", `["gin"]`, ""},
		{"POST", "/echo/000/g/xhr", "", "a[\"gin\"]\n"},
	} {
		req, _ := http.NewRequest(step.method, srv.URL+step.path, strings.NewReader(step.body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(b), step.want) || (step.want == "" && len(b) != 0) {
			t.Fatalf("%s %s: %q, want %q", step.method, step.path, b, step.want)
		}
	}
}
