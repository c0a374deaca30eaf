package sockjs_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The actors own their state: session/ and registry/ must not use locks or
// atomics (DESIGN.md). This keeps the design honest as the code changes.
func TestActorsUseNoLocks(t *testing.T) {
	for _, dir := range []string{"session", "registry"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		if len(files) == 0 {
			t.Fatalf("no Go files in %s", dir)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, banned := range []string{`"sync"`, `"sync/atomic"`, "sync.Mutex", "sync.RWMutex", "atomic."} {
				if strings.Contains(string(src), banned) {
					t.Errorf("%s uses %s", f, banned)
				}
			}
		}
	}
}
