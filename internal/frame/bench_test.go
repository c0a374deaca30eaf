package frame_test

import (
	"strings"
	"testing"

	"github.com/gosockjs/sockjs/internal/frame"
)

var (
	// asciiMessages look like typical application traffic: short JSON
	// documents sent as strings, with the quotes that implies.
	asciiMessages = []string{
		`{"type":"chat","user":"alice","text":"Hello, world! How is everybody doing today?"}`,
		`{"type":"presence","user":"bob","online":true}`,
		"plain text message without anything to escape, about eighty bytes long....",
	}

	// unicodeMessages mix raw non-ASCII text with characters from every
	// escape class.
	unicodeMessages = []string{
		`{"text":"Grüße aus Köln — ça va? 日本語のテキスト"}`,
		"emoji 😀🎉 and a line\u2028separator, zero\u200bwidth\u200cjoiner",
		"tabs\tand\nnewlines, \"quotes\" and \\backslashes\\, bidi \u202e text \ufeff",
	}
)

func totalLen(msgs []string) int64 {
	n := 0
	for _, m := range msgs {
		n += len(m)
	}
	return int64(n)
}

func BenchmarkAppendMessages(b *testing.B) {
	for _, bm := range []struct {
		name string
		msgs []string
	}{
		{"ASCII", asciiMessages},
		{"Unicode", unicodeMessages},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(totalLen(bm.msgs))
			msgs := texts(bm.msgs...)
			var buf []byte
			for range b.N {
				buf = frame.AppendMessages(buf[:0], msgs)
			}
		})
	}
}

func BenchmarkAppendString(b *testing.B) {
	for _, bm := range []struct {
		name string
		s    string
	}{
		{"ASCII-1KiB", strings.Repeat("abcdefghijklmnopqrstuvwxyz0123456789 ,.:;'", 25)[:1024]},
		{"Unicode-1KiB", strings.Repeat("Grüße 日本語 😀 a\u2028b\"c\n", 40)[:1024]},
		{"Short", "hello"},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bm.s)))
			var buf []byte
			for range b.N {
				buf = frame.AppendString(buf[:0], bm.s)
			}
		})
	}
}

func BenchmarkDecodeMessages(b *testing.B) {
	for _, bm := range []struct {
		name    string
		payload string
	}{
		{"One", `["hello world"]`},
		{"ASCII", string(frame.AppendMessages(nil, texts(asciiMessages...))[1:])},
		{"Unicode", string(frame.AppendMessages(nil, texts(unicodeMessages...))[1:])},
	} {
		b.Run(bm.name, func(b *testing.B) {
			p := []byte(bm.payload)
			b.ReportAllocs()
			b.SetBytes(int64(len(p)))
			for range b.N {
				if _, err := frame.DecodeMessages(p, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkWrappers(b *testing.B) {
	f := frame.AppendMessages(nil, texts(asciiMessages...))
	b.Run("EventSource", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for range b.N {
			buf = frame.AppendEventSource(buf[:0], f)
		}
	})
	b.Run("HTMLFile", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for range b.N {
			buf = frame.AppendHTMLFile(buf[:0], f)
		}
	})
}
