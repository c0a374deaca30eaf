package transport

import (
	"testing"
	"time"
)

func TestWatchdogCutsAStuckWrite(t *testing.T) {
	const timeout = 20 * time.Millisecond
	cut := make(chan time.Time, 1)
	w := newWatchdog(timeout, func() { cut <- time.Now() })
	defer w.stop()
	start := time.Now()
	w.begin() // never ends
	select {
	case at := <-cut:
		if d := at.Sub(start); d < timeout {
			t.Fatalf("cut after %v, before the timeout", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a stuck write was not cut")
	}
}

func TestWatchdogLeavesTimelyWritesAlone(t *testing.T) {
	const timeout = 200 * time.Millisecond
	cut := make(chan struct{}, 1)
	w := newWatchdog(timeout, func() { cut <- struct{}{} })
	defer w.stop()
	// Writes of a fortieth of the timeout each, for one and a half
	// timeouts, then idle for three more.
	for range 60 {
		w.begin()
		time.Sleep(timeout / 40)
		w.end()
	}
	time.Sleep(3 * timeout)
	select {
	case <-cut:
		t.Fatal("a write that took a fortieth of the timeout was cut")
	default:
	}
	// A stuck write after all that is still caught.
	w.begin()
	select {
	case <-cut:
	case <-time.After(5 * time.Second):
		t.Fatal("a stuck write after an idle spell was not cut")
	}
}
