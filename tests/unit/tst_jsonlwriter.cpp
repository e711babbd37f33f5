// SPDX-License-Identifier: GPL-2.0-or-later
#include "export/jsonlwriter.h"

#include <QTest>

class TestJsonlWriter : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void placeholder() { }
};

QTEST_GUILESS_MAIN(TestJsonlWriter)
#include "tst_jsonlwriter.moc"
