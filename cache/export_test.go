package cache

// SetAfterLoad makes c call fn between a miss's query and the caching of its result.
func SetAfterLoad(c *Cache, fn func(method string)) { c.afterLoad = fn }

// HoldReconnect keeps a dropped listener down while hold is true.
func HoldReconnect(c *Cache, hold bool) { c.holdReconnect.Store(hold) }

// Clone is clone, for the no-sharing test.
func Clone[T any](v T) T { return clone(v) }
