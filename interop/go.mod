module github.com/gosockjs/sockjs/interop

go 1.25

require (
	github.com/gosockjs/sockjs v0.0.0-00010101000000-000000000000
	github.com/igm/sockjs-go/v3 v3.0.2
)

require (
	github.com/coder/websocket v1.8.15 // indirect
	github.com/gorilla/websocket v1.4.2 // indirect
)

replace github.com/gosockjs/sockjs => ../
