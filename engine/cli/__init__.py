"""The command line: one module per subcommand, each printing rich tables or JSON."""
