"""The module page: GET /m/{token} and its images, and the HTML both it and the CLI write."""
