package frame_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/gosockjs/sockjs/internal/frame"
)

func TestValidCallback(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		ok   bool
	}{
		{"callback", true},
		{"_jp.a1b2c3", true},
		{"x", true},
		{"ABC_xyz.09", true},
		{strings.Repeat("a", 32), true},
		{strings.Repeat("a", 33), false},
		{"", false},
		{" ", false}, // the suite's %20
		{"*", false},
		{"abc(", false}, // the suite's abc( and abc%28
		{"a-b", false},  // Node allows '-'; this library does not
		{"a b", false},
		{"a;alert(1)", false},
		{"a\x00", false},
		{"é", false},
		{"a/b", false},
		{"a[0]", false},
	}
	for _, tt := range tests {
		if got := frame.ValidCallback(tt.name); got != tt.ok {
			t.Errorf("ValidCallback(%q) = %v, want %v", tt.name, got, tt.ok)
		}
	}
}

// TestValidCallbackSuiteQueries runs the suite's query values through URL
// decoding, as the handlers will: %63allback is accepted, the rest refused.
func TestValidCallbackSuiteQueries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		query string
		ok    bool
	}{
		{"c=%63allback", true},
		{"c=%20", false},
		{"c=*", false},
		{"c=abc(", false},
		{"c=abc%28", false},
	}
	for _, tt := range tests {
		v, err := url.ParseQuery(tt.query)
		if err != nil {
			t.Fatal(err)
		}
		if got := frame.ValidCallback(v.Get("c")); got != tt.ok {
			t.Errorf("%s: ValidCallback(%q) = %v, want %v", tt.query, v.Get("c"), got, tt.ok)
		}
	}
}
