package authapi

// FlightWaiters counts the callers sharing the refresh in flight, so that
// tests can release the server's answer once every caller has joined.
func FlightWaiters(c *Client) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.flight == nil {
		return 0
	}
	return c.flight.waiters
}
