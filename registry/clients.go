package registry

import "time"

// Limits bound a registry's sessions, in total and per client.
type Limits struct {
	// Max caps the sessions of the registry; 0 or less: no cap.
	Max int
	// PerClient caps the sessions of one client key; 0 or less: no cap.
	PerClient int
	// Rate is how many sessions per second one client key may create, on
	// average, after a burst of Burst; 0 or less: no rate limit.
	Rate  float64
	Burst int
	// MaxIdleClients bounds the creation-rate state kept for client keys
	// that have no session left (their bucket is still refilling); past it
	// the oldest-looking entries are forgotten, which only gives those
	// clients a fresh burst. 0: 10,000.
	MaxIdleClients int
	// Now is the clock of the rate limit; nil: time.Now. Tests set it.
	Now func() time.Time
}

// clientState is what the registry knows about one client key: its
// sessions now and its token bucket. An entry exists while the client has
// sessions or its bucket is not yet full again, so the table holds at most
// one entry per session plus MaxIdleClients.
type clientState struct {
	sessions int
	tokens   float64   // sessions it may create now
	last     time.Time // when tokens was computed
}

// clients is the per-client part of the table, owned by the registry
// goroutine like the rest.
type clients struct {
	limits Limits
	byKey  map[string]*clientState
	active int // entries with sessions > 0
}

func newClients(l Limits) clients {
	if l.MaxIdleClients <= 0 {
		l.MaxIdleClients = 10000
	}
	if l.Now == nil {
		l.Now = time.Now
	}
	if l.Burst < 1 {
		l.Burst = 1
	}
	return clients{limits: l, byKey: make(map[string]*clientState)}
}

// refill brings st's bucket up to now.
func (c *clients) refill(st *clientState, now time.Time) {
	if c.limits.Rate <= 0 {
		return
	}
	st.tokens += now.Sub(st.last).Seconds() * c.limits.Rate
	if max := float64(c.limits.Burst); st.tokens > max {
		st.tokens = max
	}
	st.last = now
}

// admit checks that key may create a session now; it returns the error
// that refuses it, or nil.
func (c *clients) admit(key string) error {
	st := c.byKey[key]
	if st == nil {
		return nil // a fresh client: no session, full bucket
	}
	if c.limits.PerClient > 0 && st.sessions >= c.limits.PerClient {
		return ErrClientFull
	}
	if c.limits.Rate > 0 {
		c.refill(st, c.limits.Now())
		if st.tokens < 1 {
			return ErrClientRate
		}
	}
	return nil
}

// added records a session that admit let key create.
func (c *clients) added(key string) {
	st := c.byKey[key]
	if st == nil {
		st = &clientState{tokens: float64(c.limits.Burst), last: c.limits.Now()}
		c.byKey[key] = st
	}
	if st.sessions == 0 {
		c.active++
	}
	st.sessions++
	st.tokens--
}

// removed records the end of one of key's sessions.
func (c *clients) removed(key string) {
	st := c.byKey[key]
	if st == nil || st.sessions == 0 {
		return
	}
	st.sessions--
	if st.sessions > 0 {
		return
	}
	c.active--
	if c.forgettable(st, c.limits.Now()) {
		delete(c.byKey, key)
		return
	}
	if idle := len(c.byKey) - c.active; idle > c.limits.MaxIdleClients {
		c.sweep()
	}
}

// forgettable reports whether an entry without sessions says no more than
// a missing one would: its bucket is full again.
func (c *clients) forgettable(st *clientState, now time.Time) bool {
	if c.limits.Rate <= 0 {
		return true
	}
	c.refill(st, now)
	return st.tokens >= float64(c.limits.Burst)
}

// sweep drops idle entries whose buckets are full, then, if too many are
// left, any idle entries, down to half the bound, so that sweeps are rare
// and their cost is spread over many removals.
func (c *clients) sweep() {
	now := c.limits.Now()
	target := c.limits.MaxIdleClients / 2
	for key, st := range c.byKey {
		if st.sessions == 0 && c.forgettable(st, now) {
			delete(c.byKey, key)
		}
	}
	for key, st := range c.byKey {
		if len(c.byKey)-c.active <= target {
			break
		}
		if st.sessions == 0 {
			delete(c.byKey, key)
		}
	}
}
