/// Pipeline module.
