//! OData query options as Graph accepts them for directory objects.
