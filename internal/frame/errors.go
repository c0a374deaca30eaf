package frame

import "errors"

// The decoding errors. Their texts are the exact response bodies the protocol
// prescribes (docs/protocol.md#xhr-send, #jsonp-send), so that an HTTP handler can write
// err.Error() as is; that is also why they break the Go convention of
// lower-case error strings without final punctuation.
var (
	// ErrBrokenJSON means a client payload is not valid JSON, including
	// valid JSON followed by anything but whitespace.
	//
	//lint:ignore ST1005 the text is the response body the protocol requires
	ErrBrokenJSON = errors.New("Broken JSON encoding.")

	// ErrPayloadExpected means a client payload is empty, or is valid JSON
	// but not an array of strings.
	//
	//lint:ignore ST1005 the text is the response body the protocol requires
	ErrPayloadExpected = errors.New("Payload expected.")

	// ErrTooManyMessages means a client payload holds more messages than
	// the decoder was allowed to return.
	ErrTooManyMessages = errors.New("too many messages")
)
