package client_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The actor owns the connection's state: the client uses no locks, no
// atomics and no WaitGroup, so that the design stays honest as the code
// changes.
func TestActorUsesNoLocks(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, banned := range []string{`"sync"`, `"sync/atomic"`} {
			if strings.Contains(string(src), banned) {
				t.Errorf("%s imports %s", f, banned)
			}
		}
	}
}
