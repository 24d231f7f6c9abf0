"""Running the workbook: the `workbook` CLI, the batch runner, parameters, file checks, notebook hygiene."""
