// Package leak checks that tests leave no goroutines behind.
package leak

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Check records the number of goroutines now and, when the test ends, waits
// up to 10 s for it to fall back to that baseline; if it does not, the test
// fails with a dump of the goroutines. Tests that call Check must not run in
// parallel with other tests of their package.
func Check(t testing.TB) {
	t.Helper()
	base := runtime.NumGoroutine()
	t.Cleanup(func() {
		if err := Wait(base, 10*time.Second); err != nil {
			t.Error(err)
		}
	})
}

// Wait waits up to timeout for the number of goroutines to fall to base or
// below; it returns an error with a dump of the goroutines if it does not.
// A TestMain uses it to check a whole package's tests.
func Wait(base int, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			return fmt.Errorf("goroutine leak: %d goroutines, baseline %d\n%s", runtime.NumGoroutine(), base, dump())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil
}

func dump() string {
	buf := make([]byte, 1<<20)
	n := runtime.Stack(buf, true)
	var b strings.Builder
	for _, g := range strings.Split(string(buf[:n]), "\n\n") {
		if !strings.Contains(g, "internal/leak.") {
			b.WriteString(g)
			b.WriteString("\n\n")
		}
	}
	return b.String()
}
