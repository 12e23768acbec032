package cdshooks

import "context"

type callerKey struct{}

// CallerFrom returns the Caller the Authenticator established for the
// request, or the zero Caller when the route is not authenticated.
func CallerFrom(ctx context.Context) Caller {
	c, _ := ctx.Value(callerKey{}).(Caller)
	return c
}

// withCaller returns ctx carrying c.
func withCaller(ctx context.Context, c Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}
