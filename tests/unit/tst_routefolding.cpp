// SPDX-License-Identifier: GPL-2.0-or-later
// Route folding: identifiers become {id}, words stay, the query goes.

#include "stats/routefolding.h"

#include <QTest>

using namespace httptap;

class TestRouteFolding : public QObject
{
    Q_OBJECT
private slots:
    void fold_data();
    void fold();
    void identifierSegments_data();
    void identifierSegments();
};

void TestRouteFolding::fold_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<QByteArray>("route");

    QTest::newRow("root") << QByteArray("/") << QByteArray("/");
    QTest::newRow("empty") << QByteArray("") << QByteArray("/");
    QTest::newRow("words") << QByteArray("/api/v1/users") << QByteArray("/api/v1/users");
    QTest::newRow("numeric") << QByteArray("/users/123") << QByteArray("/users/{id}");
    QTest::newRow("uuid and number") << QByteArray("/users/123/orders/9f1c2e4a-0b1d-4c5e-8f90-a1b2c3d4e5f6")
                                     << QByteArray("/users/{id}/orders/{id}");
    QTest::newRow("uuid upper case") << QByteArray("/o/9F1C2E4A-0B1D-4C5E-8F90-A1B2C3D4E5F6/x")
                                     << QByteArray("/o/{id}/x");
    QTest::newRow("long hex") << QByteArray("/blobs/9f1c2e4a0b1d4c5e8f90a1b2c3d4e5f6") << QByteArray("/blobs/{id}");
    QTest::newRow("object id") << QByteArray("/items/507f1f77bcf86cd799439011") << QByteArray("/items/{id}");
    QTest::newRow("short hex word") << QByteArray("/cafe/facade") << QByteArray("/cafe/facade");
    QTest::newRow("15 hex digits stay") << QByteArray("/x/123456789abcdef") << QByteArray("/x/123456789abcdef");
    QTest::newRow("query dropped") << QByteArray("/search?q=1&page=2") << QByteArray("/search");
    QTest::newRow("fragment dropped") << QByteArray("/doc/42#top") << QByteArray("/doc/{id}");
    QTest::newRow("query with slash") << QByteArray("/a?next=/b/1") << QByteArray("/a");
    QTest::newRow("trailing slash") << QByteArray("/users/123/") << QByteArray("/users/{id}/");
    QTest::newRow("double slash") << QByteArray("//x//7") << QByteArray("//x//{id}");
    QTest::newRow("absolute form") << QByteArray("http://example.com/users/5?x=1") << QByteArray("/users/{id}");
    QTest::newRow("absolute form, no path") << QByteArray("http://example.com") << QByteArray("/");
    QTest::newRow("authority form") << QByteArray("example.com:443") << QByteArray("example.com:443");
    QTest::newRow("asterisk") << QByteArray("*") << QByteArray("*");
    QTest::newRow("mixed segment stays") << QByteArray("/v2/user42") << QByteArray("/v2/user42");
    QTest::newRow("number with extension stays") << QByteArray("/img/123.png") << QByteArray("/img/123.png");
}

void TestRouteFolding::fold()
{
    QFETCH(QByteArray, target);
    QFETCH(QByteArray, route);
    QCOMPARE(QByteArray::fromStdString(foldPath(target.toStdString())), route);
}

void TestRouteFolding::identifierSegments_data()
{
    QTest::addColumn<QByteArray>("segment");
    QTest::addColumn<bool>("identifier");
    QTest::newRow("empty") << QByteArray("") << false;
    QTest::newRow("0") << QByteArray("0") << true;
    QTest::newRow("digits") << QByteArray("0012") << true;
    QTest::newRow("negative") << QByteArray("-1") << false;
    QTest::newRow("uuid missing a dash") << QByteArray("9f1c2e4a0b1d-4c5e-8f90-a1b2c3d4e5f6") << false; // not a UUID, not all hex
    QTest::newRow("uuid with a g") << QByteArray("9f1c2e4a-0b1d-4c5e-8f90-a1b2c3d4e5fg") << false;
    QTest::newRow("16 hex") << QByteArray("0123456789abcdef") << true;
}

void TestRouteFolding::identifierSegments()
{
    QFETCH(QByteArray, segment);
    QFETCH(bool, identifier);
    QCOMPARE(isIdentifierSegment(std::string_view(segment.constData(), size_t(segment.size()))), identifier);
}

QTEST_APPLESS_MAIN(TestRouteFolding)
#include "tst_routefolding.moc"
