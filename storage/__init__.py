"""Everything that talks SQL: tables, the engine and session scope, migrations, typed queries."""
