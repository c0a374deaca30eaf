module github.com/gosockjs/sockjs/examples/chi

go 1.25

replace github.com/gosockjs/sockjs => ../..

require (
	github.com/go-chi/chi/v5 v5.5.0
	github.com/gosockjs/sockjs v0.0.0-00010101000000-000000000000
)

require github.com/coder/websocket v1.8.15 // indirect
