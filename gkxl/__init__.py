"""gkxl: the annual 政府信息公开工作年度报告 statistics, from blank template to checked summary."""
__version__ = "0.1.0"
