// Package leak checks that tests leave no goroutines behind.
package leak

import (
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
		deadline := time.Now().Add(10 * time.Second)
		for runtime.NumGoroutine() > base {
			if time.Now().After(deadline) {
				t.Errorf("goroutine leak: %d goroutines, baseline %d\n%s", runtime.NumGoroutine(), base, dump())
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}

func dump() string {
	buf := make([]byte, 1<<20)
	n := runtime.Stack(buf, true)
	var b strings.Builder
	for _, g := range strings.Split(string(buf[:n]), "\n\n") {
		if !strings.Contains(g, "internal/leak.dump") {
			b.WriteString(g)
			b.WriteString("\n\n")
		}
	}
	return b.String()
}
