"""Alibaba's RPC actions, each a short translation onto one of vodcover's use cases.

An action reads Alibaba's parameters (:mod:`..parameters`), builds vodcover's command model,
calls the use case with the verified caller's owner, and answers through :mod:`..views`.
No rule is decided here: ownership, statuses, limits and cover choices are the use cases'.
:mod:`vodcover.compat.alibaba.dispatch` names which function answers which action.
"""
