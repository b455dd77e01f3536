"""Emergency management (应急管理, issue 14): plans and their filing, drills, resources,
one-click response and supplies allocation."""
