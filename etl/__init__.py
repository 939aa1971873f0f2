"""政府信息公开工作年度报告: read -> extract -> check -> warehouse (see etl.pipeline)."""
