package protocol_test

import (
	"fmt"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/gosockjs/sockjs/internal/leak"
)

// TestMain fails the suite if any goroutine of the servers (registries,
// session actors, application handlers, connections) outlives the tests:
// every test's cleanup shuts its services down.
func TestMain(m *testing.M) {
	base := runtime.NumGoroutine()
	code := m.Run()
	if code == 0 {
		if err := leak.Wait(base, 10*time.Second); err != nil {
			fmt.Fprintln(os.Stderr, "protocol_test:", err)
			code = 1
		}
	}
	os.Exit(code)
}
