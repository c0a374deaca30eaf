// Package transport turns HTTP requests into SockJS traffic.
//
// A receiving request (xhr, xhr_streaming, eventsource, htmlfile, jsonp,
// websocket) becomes a session.Receiver: the transport writes its prelude,
// attaches the receiver to a session and waits until the session is done
// with it, because a ResponseWriter must not outlive its handler. A sending
// request (xhr_send, jsonp_send) has its body read with a size limit,
// decoded, and its messages delivered to the session's inbox.
//
// The root package routes requests, sets the common headers (CORS, caching,
// cookies) and validates parameters before calling in here.
package transport
