package client_test

import (
	"fmt"
	"os"
	"runtime"
	"testing"

	"github.com/gosockjs/sockjs/internal/leak"
)

// TestMain fails the package if its tests leave goroutines behind.
func TestMain(m *testing.M) {
	base := runtime.NumGoroutine()
	code := m.Run()
	if code == 0 {
		if err := leak.Wait(base, 10e9); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	os.Exit(code)
}
