package sockjs_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// The actors own their state: session/ and registry/ take no locks
// (docs/design.md#no-locks). The rule is checked on the syntax of the
// packages' non-test files, so comments and strings never count and
// renamed imports, aliases and embedded fields do.
//
// What counts as a lock:
//   - the types sync.Mutex, sync.RWMutex, sync.Cond, sync.Map and
//     sync.Locker, however sync is imported (renamed, or dot-imported);
//   - a call or method value of Lock, Unlock, RLock, RUnlock, TryLock,
//     TryRLock or RLocker on any value, which catches locks reached through
//     another package's types or an embedded field;
//   - an import of sync/atomic: state shared through atomics is state the
//     actor does not own (atomics belong in the transports and the root
//     package, which are not actors).
//
// sync.Once, sync.WaitGroup, sync.Pool and sync.OnceFunc/OnceValue(s) are
// allowed: they order one-time or counting events and never make a
// goroutine wait for another to finish its use of shared state.
func TestActorsUseNoLocks(t *testing.T) {
	for _, dir := range []string{"session", "registry"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		checked := 0
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			checked++
			fset := token.NewFileSet()
			file, err := parser.ParseFile(fset, f, nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range lockUses(fset, file) {
				t.Errorf("%s: %s", v.pos, v.what)
			}
		}
		if checked == 0 {
			t.Fatalf("no non-test Go files in %s", dir)
		}
	}
}

// TestLockUsesFindsViolations proves the checker on planted sources: every
// violation is found, and comments, strings and allowed sync types are not.
func TestLockUsesFindsViolations(t *testing.T) {
	for _, c := range []struct {
		name string
		src  string
		want int // violations expected
	}{
		{"field", `package p; import "sync"; type T struct{ mu sync.Mutex }`, 1},
		{"embedded", `package p; import "sync"; type T struct{ sync.RWMutex }; func (t *T) f() { t.RLock(); t.RUnlock() }`, 3},
		{"renamed import", `package p; import s "sync"; var m s.Map`, 1},
		{"dot import", `package p; import . "sync"; var c *Cond`, 1},
		{"alias", `package p; import "sync"; type mu = sync.Mutex`, 1},
		{"locker", `package p; import "sync"; func f(l sync.Locker) {}`, 1},
		{"new", `package p; import "sync"; var m = new(sync.Mutex)`, 1},
		{"lock through another package", `package p; import "example.com/q"; func f(v *q.T) { v.Lock(); defer v.Unlock() }`, 2},
		{"method value", `package p; func f(v interface{ TryLock() bool }) { g := v.TryLock; _ = g }`, 1},
		{"comment and string", "package p\n// sync.Mutex and mu.Lock() in a comment\nvar s = \"sync.Mutex mu.Lock()\"", 0},
		{"allowed", `package p; import "sync"; var (o sync.Once; w sync.WaitGroup; p sync.Pool)`, 0},
		{"atomics", `package p; import "sync/atomic"; var n atomic.Int64`, 1},
		{"other package's Mutex", `package p; import "example.com/q"; var m q.Mutex`, 0},
	} {
		fset := token.NewFileSet()
		file, err := parser.ParseFile(fset, c.name+".go", c.src, parser.SkipObjectResolution)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := lockUses(fset, file); len(got) != c.want {
			t.Errorf("%s: %d violations %v, want %d", c.name, len(got), got, c.want)
		}
	}
}

// lockTypes are the exported names of package sync that are locks.
var lockTypes = map[string]bool{"Mutex": true, "RWMutex": true, "Cond": true, "Map": true, "Locker": true}

// lockMethods are the methods that take or release a lock.
var lockMethods = map[string]bool{"Lock": true, "Unlock": true, "RLock": true, "RUnlock": true, "TryLock": true, "TryRLock": true, "RLocker": true}

type lockUse struct {
	pos  token.Position
	what string
}

func (u lockUse) String() string { return fmt.Sprintf("%s: %s", u.pos, u.what) }

// lockUses returns the uses of locks in file, by syntax alone.
func lockUses(fset *token.FileSet, file *ast.File) []lockUse {
	syncNames := map[string]bool{} // names under which package sync is imported
	dotSync := false
	var uses []lockUse
	for _, imp := range file.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		if path == "sync/atomic" {
			uses = append(uses, lockUse{fset.Position(imp.Pos()), "import of sync/atomic: actor state is not shared"})
			continue
		}
		if path != "sync" {
			continue
		}
		switch {
		case imp.Name == nil:
			syncNames["sync"] = true
		case imp.Name.Name == ".":
			dotSync = true
		case imp.Name.Name != "_":
			syncNames[imp.Name.Name] = true
		}
	}
	add := func(n ast.Node, what string) {
		uses = append(uses, lockUse{fset.Position(n.Pos()), what})
	}
	ast.Inspect(file, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ImportSpec:
			return false
		case *ast.SelectorExpr:
			if x, ok := n.X.(*ast.Ident); ok && syncNames[x.Name] && lockTypes[n.Sel.Name] {
				add(n, "sync."+n.Sel.Name+" is a lock")
				return false
			}
			if lockMethods[n.Sel.Name] {
				add(n, "call of "+n.Sel.Name)
			}
		case *ast.Ident:
			if dotSync && lockTypes[n.Name] {
				add(n, "sync."+n.Name+" (dot import) is a lock")
			}
		}
		return true
	})
	sort.Slice(uses, func(i, j int) bool { return uses[i].pos.Offset < uses[j].pos.Offset })
	return uses
}
