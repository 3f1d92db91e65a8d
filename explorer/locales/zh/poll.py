"""The live class poll's store (explorer/poll.py): what an answer or a teacher's action returns."""

MESSAGES = {
    "Answer recorded.": "答案已记录。",
    "Question opened to the class.": "题目已向全班开放。",
    "Answer revealed to the class.": "已向全班公布答案。",
    "Question closed.": "题目已关闭。",
    "Room closed.": "房间已关闭。",
    "No such room: check the code (rooms expire after a while).": "没有这个房间：请检查房间码（房间过一段时间会过期）。",
    "This question is not open in this room.": "这个房间里没有开放这道题。",
    "This question is closed: it takes no more answers.": "这道题已关闭，不再接受作答。",
    "The answer has been revealed: this question takes no more answers.": "答案已经公布，这道题不再接受作答。",
    "That is not one of this question's options.": "这不是这道题的选项。",
    "This browser's id is not valid: reload the page.": "这个浏览器的标识无效，请刷新页面。",
    "You have already answered this question.": "你已经回答过这道题了。",
    "This question has reached its limit of {n:,} answers.": "这道题的作答数已达上限（{n:,} 份）。",
    "This room has reached its limit of {n:,} answers.": "这个房间的作答数已达上限（{n:,} 份）。",
    "This room has reached its limit of {n:,} questions.": "这个房间的题目数已达上限（{n:,} 道）。",
    "Only the teacher who opened this room can do that.": "只有开设这个房间的老师才能这样做。",
    "The poll is busy: try again in a moment.": "投票系统正忙，请稍后再试。",
    "The poll cannot save answers right now: tell the teacher.": "投票系统暂时无法保存答案，请告诉老师。",
    "Too many rooms are open at once ({n:,}): try again later.": "同时开放的房间太多（{n:,} 个），请稍后再试。",
    "No free room code was found: try again.": "没有找到可用的房间码，请再试一次。",
    "The poll's database cannot use WAL mode (journal mode {mode}).": "投票数据库无法使用 WAL 模式（日志模式为 {mode}）。",
    "The poll's database was written by a newer version (schema {found}, this one reads {known}).": (
        "投票数据库由更新的版本写入（数据结构版本 {found}，本版本只能读取 {known}）。"
    ),
}
