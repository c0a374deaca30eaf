package frame_test

import (
	"fmt"

	"github.com/gosockjs/sockjs/internal/frame"
)

func ExampleAppendMessages() {
	var buf []byte
	buf = frame.AppendMessages(buf[:0], texts("hello", "line\u2028break 😀"))
	fmt.Println(string(buf))
	// Output: a["hello","line\u2028break \ud83d\ude00"]
}

func ExampleAppendClose() {
	fmt.Println(string(frame.AppendClose(nil, 3000, "Go away!")))
	// Output: c[3000,"Go away!"]
}

func ExampleAppendJSONP() {
	f := frame.AppendMessages(nil, texts("x"))
	fmt.Printf("%q\n", frame.AppendJSONP(nil, "callback", f))
	// Output: "/**/callback(\"a[\\\"x\\\"]\");\r\n"
}

func ExampleDecodeMessages() {
	msgs, err := frame.DecodeMessages([]byte(`["a","\ud83d\ude00"]`), 0)
	fmt.Println(msgs, err)
	_, err = frame.DecodeMessages([]byte(`["a`), 0)
	fmt.Println(err)
	_, err = frame.DecodeMessages([]byte(`{}`), 0)
	fmt.Println(err)
	// Output:
	// [a 😀] <nil>
	// Broken JSON encoding.
	// Payload expected.
}
