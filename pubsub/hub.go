package pubsub

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/gosockjs/sockjs"
)

// subscribeTimeout bounds each Broker.Subscribe call of a Hub. A Join
// waits at most this long for its topic's subscription (less if its
// context ends first).
const subscribeTimeout = 10 * time.Second

// Hub is the fan-out of one node: SockJS sessions of this process join
// topics, and every message published to a topic, on any node, reaches
// them.
//
// The Hub holds one Broker subscription per topic that has members here:
// it subscribes when the first local session joins and cancels when the
// last one leaves. Each message that arrives is encoded once
// (sockjs.Prepare) and queued for every member with Session.SendPrepared,
// which never waits for the network; a member whose session is closing is
// dropped. Sessions leave by themselves as soon as they stop being open
// (Session.Context is done), not only once they end (Session.Done, a
// DisconnectDelay later), since nothing can be sent to them in between.
//
// A Hub is one goroutine that owns its maps and runs every operation in
// order, so all methods are safe for concurrent use. Join waits for its
// topic's subscription and Publish for the Broker, both within their
// contexts; the other methods wait only for that goroutine, which never
// waits for the Broker or the network.
type Hub struct {
	broker Broker
	own    *Local // the Local that NewHub(nil) made, closed by Close; or nil

	ops     chan func(*hubState) // from methods, watchers, helpers and deliveries to the actor; unbuffered
	stop    chan struct{}        // closed by Close: the actor returns
	exited  chan struct{}        // closed when the actor has returned
	closing sync.Once            // closes stop once
	ctx     context.Context      // bounds the helpers' Subscribe calls
	cancel  context.CancelFunc   // cancels ctx; called by the actor when it returns
	helpers sync.WaitGroup       // subscribe, cancel and watcher goroutines
}

// hubState is what the Hub's actor goroutine owns; operations get it as
// their argument.
type hubState struct {
	topics   map[string]*hubTopic               // topics with members or a subscription on its way
	sessions map[*sockjs.Session]*hubMembership // sessions that joined at least one topic
}

// hubTopic is one topic with members on this node.
type hubTopic struct {
	name    string
	members map[*sockjs.Session]struct{}
	sub     *hubSubscription // never nil: pending until its Subscribe call returns
}

// hubSubscription is the Broker subscription of one topic. A topic that
// is unsubscribed and subscribed again gets a new one, so deliveries of the
// old one are recognised and ignored.
type hubSubscription struct {
	topic   string
	cancel  func()    // set when Subscribe succeeded: the subscription is active
	waiting []hubWait // Join calls waiting for Subscribe to return
}

// hubWait is a Join call waiting for its topic's subscription.
type hubWait struct {
	s     *sockjs.Session
	reply chan<- error
}

// hubMembership is what the Hub knows about one session.
type hubMembership struct {
	topics  map[string]struct{} // topics the session joined
	unwatch chan struct{}       // closed when the session left every topic: its watcher returns
}

// NewHub starts a Hub that exchanges messages through b. With a nil b it
// makes a Local of its own (LocalOptions defaults) and closes it in Close:
// the right choice for an application on a single node. A Broker given
// here stays open after Close; its owner closes it after the Hub.
func NewHub(b Broker) *Hub {
	h := &Hub{
		broker: b,
		ops:    make(chan func(*hubState)),
		stop:   make(chan struct{}),
		exited: make(chan struct{}),
	}
	if b == nil {
		h.own = NewLocal(LocalOptions{})
		h.broker = h.own
	}
	h.ctx, h.cancel = context.WithCancel(context.Background())
	go h.run()
	return h
}

// run is the actor goroutine. Every operation it receives runs, in order;
// when it stops it cancels the topics' subscriptions.
func (h *Hub) run() {
	defer close(h.exited)
	st := &hubState{
		topics:   make(map[string]*hubTopic),
		sessions: make(map[*sockjs.Session]*hubMembership),
	}
	for {
		select {
		case op := <-h.ops:
			op(st)
		case <-h.stop:
			h.cancel()
			for _, t := range st.topics {
				if t.sub.cancel != nil {
					h.unsubscribe(t.sub)
				}
			}
			return
		}
	}
}

// post hands op to the actor, or reports ErrClosed once it has returned.
// The actor runs every operation it receives.
func (h *Hub) post(op func(*hubState)) error {
	select {
	case h.ops <- op:
		return nil
	case <-h.exited:
		return ErrClosed
	}
}

// Join adds s to topic on this node. When Join returns nil, every message
// published to topic afterwards, on any node, reaches s until s leaves.
// The first local member of a topic makes the Hub subscribe to it, and
// Join waits for that (at most 10 s, and no longer than ctx); later members
// join at once. Joining a topic twice is joining it once.
//
// Join fails with ctx's error (and s does not join), with the session's
// *sockjs.CloseError if s is already closing, with ErrClosed after Close,
// or with the Broker's error when it could not subscribe.
func (h *Hub) Join(ctx context.Context, topic string, s *sockjs.Session) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	reply := make(chan error, 1)
	if err := h.post(func(st *hubState) { h.join(st, topic, s, reply) }); err != nil {
		return err
	}
	select {
	case err := <-reply:
		return err
	case <-ctx.Done():
		// Withdraw, unless the answer came first: the actor answers a
		// Join before it receives the withdrawal, or never.
		if err := h.post(func(st *hubState) { h.withdraw(st, topic, reply) }); err != nil {
			return err
		}
		select {
		case err := <-reply:
			return err
		default:
			return ctx.Err()
		}
	case <-h.exited:
		return ErrClosed
	}
}

// Leave removes s from topic on this node; messages that arrive after
// Leave returned are not queued for s. The last local member to leave
// makes the Hub cancel its subscription. Leaving a topic that s did not
// join does nothing, and so does Leave after Close.
func (h *Hub) Leave(topic string, s *sockjs.Session) {
	_ = h.post(func(st *hubState) { h.leave(st, topic, s) })
}

// Publish sends msg to topic through the Broker: it reaches the topic's
// members on every node, this one included, once the Broker delivers it.
// Messages published one after the other by one goroutine (say, the
// goroutine serving one session) reach every member in that order. It
// fails with ErrClosed after Close and otherwise returns the Broker's
// error.
func (h *Hub) Publish(ctx context.Context, topic string, msg string) error {
	select {
	case <-h.stop:
		return ErrClosed
	default:
	}
	return h.broker.Publish(ctx, topic, msg)
}

// Members returns the number of this node's sessions in topic.
func (h *Hub) Members(ctx context.Context, topic string) (int, error) {
	reply := make(chan int, 1)
	if err := h.post(func(st *hubState) {
		n := 0
		if t := st.topics[topic]; t != nil {
			n = len(t.members)
		}
		reply <- n
	}); err != nil {
		return 0, err
	}
	select {
	case n := <-reply:
		return n, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// Sessions returns this node's sessions in topic, in no particular order:
// for an admin page, or a "who is here" message.
func (h *Hub) Sessions(ctx context.Context, topic string) ([]*sockjs.Session, error) {
	reply := make(chan []*sockjs.Session, 1)
	if err := h.post(func(st *hubState) {
		var all []*sockjs.Session
		if t := st.topics[topic]; t != nil {
			all = make([]*sockjs.Session, 0, len(t.members))
			for s := range t.members {
				all = append(all, s)
			}
		}
		reply <- all
	}); err != nil {
		return nil, err
	}
	select {
	case all := <-reply:
		return all, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Close stops the Hub: it cancels its subscriptions, forgets its members
// (their sessions stay open), waits for its goroutines, and closes the
// Local it made itself. Join waiting for a subscription returns ErrClosed;
// later calls fail with ErrClosed, and Leave does nothing. Close is
// idempotent.
func (h *Hub) Close() error {
	h.closing.Do(func() { close(h.stop) })
	<-h.exited
	h.helpers.Wait()
	if h.own != nil {
		return h.own.Close()
	}
	return nil
}

// The methods below run on the actor goroutine.

// join adds s to topic and answers reply once the topic's subscription is
// active.
func (h *Hub) join(st *hubState, topic string, s *sockjs.Session, reply chan<- error) {
	if ctx := s.Context(); ctx.Err() != nil {
		reply <- context.Cause(ctx)
		return
	}
	m := st.sessions[s]
	if m == nil {
		m = &hubMembership{topics: make(map[string]struct{}), unwatch: make(chan struct{})}
		st.sessions[s] = m
		h.helpers.Add(1)
		go h.watch(s, m.unwatch)
	}
	t := st.topics[topic]
	if t == nil {
		t = &hubTopic{name: topic, members: make(map[*sockjs.Session]struct{}), sub: h.subscribe(topic)}
		st.topics[topic] = t
	}
	t.members[s] = struct{}{}
	m.topics[topic] = struct{}{}
	if t.sub.cancel == nil {
		t.sub.waiting = append(t.sub.waiting, hubWait{s, reply})
		return
	}
	reply <- nil
}

// withdraw cancels the Join that waits with reply, if it still waits: its
// session leaves the topic unless another Join of it waits too.
func (h *Hub) withdraw(st *hubState, topic string, reply chan<- error) {
	t := st.topics[topic]
	if t == nil {
		return
	}
	waiting := t.sub.waiting
	for i, w := range waiting {
		if w.reply != reply {
			continue
		}
		t.sub.waiting = append(waiting[:i:i], waiting[i+1:]...)
		for _, other := range t.sub.waiting {
			if other.s == w.s {
				return
			}
		}
		h.leave(st, topic, w.s)
		return
	}
}

// subscribe starts the Broker subscription of topic on a helper goroutine,
// which reports back with subscribed.
func (h *Hub) subscribe(topic string) *hubSubscription {
	sub := &hubSubscription{topic: topic}
	deliver := func(msg string) {
		p := sockjs.Prepare(msg) // once per node, on the Broker's goroutine
		_ = h.post(func(st *hubState) { h.fanOut(st, sub, p) })
	}
	h.helpers.Add(1)
	go func() {
		defer h.helpers.Done()
		ctx, cancel := context.WithTimeout(h.ctx, subscribeTimeout)
		stopSub, err := h.broker.Subscribe(ctx, topic, deliver)
		cancel()
		posted := h.post(func(st *hubState) { h.subscribed(st, sub, stopSub, err) })
		if posted != nil && err == nil {
			stopSub() // the Hub closed in the meantime
		}
	}()
	return sub
}

// subscribed records the result of a topic's Subscribe call and answers
// the Join calls that waited for it.
func (h *Hub) subscribed(st *hubState, sub *hubSubscription, cancel func(), err error) {
	t := st.topics[sub.topic] // a pending subscription's topic stays until now
	waiting := sub.waiting
	sub.waiting = nil
	if err != nil {
		// Every member joined while the subscription was pending.
		for s := range t.members {
			h.forget(st, s, t.name)
		}
		delete(st.topics, t.name)
		err = fmt.Errorf("pubsub: subscribe to %q: %w", t.name, err)
		for _, w := range waiting {
			w.reply <- err
		}
		return
	}
	sub.cancel = cancel
	for _, w := range waiting {
		w.reply <- nil
	}
	if len(t.members) == 0 { // they all left while it was pending
		delete(st.topics, t.name)
		h.unsubscribe(sub)
	}
}

// fanOut queues a message of sub for every member of its topic. Messages
// of a subscription that was replaced are ignored: they reached this node
// through the new one too.
func (h *Hub) fanOut(st *hubState, sub *hubSubscription, p *sockjs.Prepared) {
	t := st.topics[sub.topic]
	if t == nil || t.sub != sub {
		return
	}
	for s := range t.members {
		if s.SendPrepared(p) != nil {
			h.ended(st, s) // closing: it would leave anyway
		}
	}
}

// leave removes s from topic, and unsubscribes when it was the last member
// of an active subscription.
func (h *Hub) leave(st *hubState, topic string, s *sockjs.Session) {
	t := st.topics[topic]
	if t == nil {
		return
	}
	if _, ok := t.members[s]; !ok {
		return
	}
	h.forget(st, s, topic)
	if len(t.members) == 0 && t.sub.cancel != nil {
		delete(st.topics, topic)
		h.unsubscribe(t.sub)
	}
	// A pending subscription without members is dropped by subscribed.
}

// ended removes s from every topic: its session is closing.
func (h *Hub) ended(st *hubState, s *sockjs.Session) {
	if m := st.sessions[s]; m != nil {
		for topic := range m.topics {
			h.leave(st, topic, s)
		}
	}
}

// forget removes the membership of s in topic, and the session itself once
// it has no topic left, which stops its watcher.
func (h *Hub) forget(st *hubState, s *sockjs.Session, topic string) {
	delete(st.topics[topic].members, s)
	m := st.sessions[s]
	delete(m.topics, topic)
	if len(m.topics) == 0 {
		close(m.unwatch)
		delete(st.sessions, s)
	}
}

// unsubscribe cancels an active subscription on a helper goroutine, so that
// the actor never waits for the Broker.
func (h *Hub) unsubscribe(sub *hubSubscription) {
	h.helpers.Add(1)
	go func() {
		defer h.helpers.Done()
		sub.cancel()
	}()
}

// watch runs on a goroutine per session with memberships: when the session
// stops being open, it makes the session leave every topic. It returns
// early when the session left them all or the Hub stops.
func (h *Hub) watch(s *sockjs.Session, unwatch <-chan struct{}) {
	defer h.helpers.Done()
	select {
	case <-s.Context().Done():
		_ = h.post(func(st *hubState) { h.ended(st, s) })
	case <-unwatch:
	case <-h.stop:
	}
}
